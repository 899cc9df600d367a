import { formatAddress, getMappedAddress, getOtherAddress } from "../message/accessors.js";
import { familyOf, normalizeIp } from "../message/ip.js";
import { TcpStunConnection } from "../transport/tcp-client.js";
import type { Endpoint, StunReply } from "../transport/types.js";
import { type MappedPoint, mappingFromServers, mappingFromTests } from "./classify.js";
import type { NatBehaviour, ServerReport } from "./types.js";

export interface TcpDiscovery {
  mapping: NatBehaviour;
  mapped?: MappedPoint;
  localIp?: string;
  reports: ServerReport[];
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * RFC 5780 mapping test over TCP: the first server that answers anchors a local port; from that
 * same port we connect to its alternate IP (primary port and alternate port) and to every other
 * server. With no OTHER-ADDRESS anywhere, the mappings seen by different servers are compared.
 */
export async function discoverTcpMapping(
  servers: { name: string; endpoint: Endpoint }[],
  options: { localAddress?: string; connectTimeoutMs: number; signal: AbortSignal },
): Promise<TcpDiscovery> {
  const reports = new Map<string, ServerReport>();
  for (const s of servers) {
    reports.set(s.name, { server: s.name, transport: "tcp", ok: false, address: formatAddress(s.endpoint) });
  }
  const open: TcpStunConnection[] = [];
  const exchange = async (to: Endpoint, localPort?: number): Promise<StunReply> => {
    const connection = await TcpStunConnection.connect(to, {
      // Always bind explicitly: only then does libuv set SO_REUSEADDR, which lets later
      // connections share the anchored port.
      localAddress: options.localAddress ?? (familyOf(to.address) === "IPv6" ? "::" : "0.0.0.0"),
      localPort,
      timeoutMs: options.connectTimeoutMs,
      signal: options.signal,
    });
    open.push(connection);
    return connection.request({ timeoutMs: options.connectTimeoutMs, signal: options.signal });
  };

  try {
    let anchor: { name: string; endpoint: Endpoint; reply: StunReply; mapped: MappedPoint } | undefined;
    for (const s of servers) {
      const report = reports.get(s.name)!;
      try {
        const reply = await exchange(s.endpoint);
        const mapped = getMappedAddress(reply.message);
        if (reply.message.class !== "success" || !mapped) {
          report.reason = "no mapped address in the reply";
          continue;
        }
        report.ok = true;
        anchor = { ...s, reply, mapped };
        break;
      } catch (error) {
        report.reason = `no answer: ${reason(error)}`;
      }
    }
    if (!anchor) return { mapping: "UNKNOWN", reports: [...reports.values()] };

    const localPort = anchor.reply.local.port;
    const anchorReport = reports.get(anchor.name)!;
    const other = getOtherAddress(anchor.reply.message);
    if (other) anchorReport.otherAddress = formatAddress(other);
    const mappedFrom = async (to: Endpoint) => {
      const reply = await exchange(to, localPort);
      const mapped = getMappedAddress(reply.message);
      if (!mapped) throw new Error("no mapped address in the reply");
      return mapped;
    };
    const altTargets: Endpoint[] = other
      ? [
          { address: other.address, port: anchor.endpoint.port },
          { address: other.address, port: other.port },
        ]
      : [];
    const altIndex = (e: Endpoint) =>
      altTargets.findIndex((t) => t.port === e.port && normalizeIp(t.address) === normalizeIp(e.address));
    // A configured server that is the anchor's own alternate is measured by the mapping test already; dialling
    // it again from the same local port would collide with that connection (EADDRNOTAVAIL).
    const candidates = servers.filter(
      (s) => s !== servers.find((x) => x.name === anchor.name) && reports.get(s.name)!.reason === undefined,
    );
    const covered = candidates.filter((s) => altIndex(s.endpoint) >= 0);
    const rest = candidates.filter((s) => altIndex(s.endpoint) < 0);
    const [alt2, alt3, ...others] = await Promise.allSettled([
      other ? mappedFrom(altTargets[0]!) : Promise.reject(new Error("no OTHER-ADDRESS")),
      other ? mappedFrom(altTargets[1]!) : Promise.reject(new Error("no OTHER-ADDRESS")),
      ...rest.map((s) => mappedFrom(s.endpoint)),
    ]);
    for (const s of covered) {
      const r = altIndex(s.endpoint) === 0 ? alt2! : alt3!;
      const report = reports.get(s.name)!;
      if (r.status === "fulfilled") report.ok = true;
      else report.reason = `no answer from local port ${localPort}: ${reason(r.reason)}`;
    }
    const seen: { server: MappedPoint; mapped: MappedPoint }[] = [
      { server: anchor.endpoint, mapped: anchor.mapped },
    ];
    rest.forEach((s, i) => {
      const r = others[i]!;
      const report = reports.get(s.name)!;
      if (r.status === "fulfilled") {
        report.ok = true;
        seen.push({ server: s.endpoint, mapped: r.value });
      } else {
        report.reason = `no answer from local port ${localPort}: ${reason(r.reason)}`;
      }
    });

    let mapping: NatBehaviour;
    if (alt2!.status === "fulfilled") {
      anchorReport.role = "behaviour";
      mapping = mappingFromTests(
        anchor.mapped,
        alt2.value,
        alt3!.status === "fulfilled" ? alt3.value : undefined,
      );
    } else {
      if (other) anchorReport.reason = `alternate address did not answer over TCP: ${reason(alt2!.reason)}`;
      for (const s of seen) {
        const name = servers.find((x) => x.endpoint === s.server)?.name;
        if (name) reports.get(name)!.role = "mapping";
      }
      mapping = mappingFromServers(seen);
    }
    return {
      mapping,
      mapped: anchor.mapped,
      localIp: anchor.reply.local.address,
      reports: [...reports.values()],
    };
  } finally {
    await Promise.all(open.map((c) => c.close()));
  }
}
