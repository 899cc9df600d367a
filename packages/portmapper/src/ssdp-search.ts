import { createSocket } from "node:dgram";
import { networkInterfaces } from "node:os";
import { localAddressToward } from "./local-address.js";

const SSDP_GROUP = "239.255.255.250";
/** SSDP's IPv6 link-local group (UPnP Device Architecture 1.1). */
export const SSDP_GROUP_V6 = "ff02::c";
const SSDP_PORT = 1900;

/** What an Internet Gateway Device answers to; routers differ in which they honour, so all are asked. */
const SEARCH_TARGETS = [
  "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
  "urn:schemas-upnp-org:device:InternetGatewayDevice:2",
  "urn:schemas-upnp-org:service:WANIPConnection:1",
];

export interface SsdpSearchOptions {
  /** Give up after this long (default 3 000 ms). */
  timeoutMs?: number;
  /** Ask this address directly instead of the multicast group (UPnP 1.1 allows unicast M-SEARCH). */
  address?: string;
  /** Send from this local address (default: any, and the kernel picks the interface by its routes). */
  localAddress?: string;
  /**
   * The interface to send a multicast search on (IPv6: link-scope groups need one; e.g. "eth0").
   * Default: the kernel's choice.
   */
  multicastInterface?: string;
  signal?: AbortSignal;
}

/** MX 1: devices spread their answers over at most a second (miniupnpd waits a random share of it). */
function searchMessage(target: string, host: string): Buffer {
  const hostPart = host.includes(":") ? `[${host.replace(/%.*$/, "").toUpperCase()}]` : host;
  return Buffer.from(
    `M-SEARCH * HTTP/1.1\r\nHOST: ${hostPart}:${SSDP_PORT}\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: ${target}\r\n\r\n`,
  );
}

/** The LOCATION header of an SSDP answer (`HTTP/1.1 200 OK` with headers), if it has one. */
export function locationOf(answer: string): string | undefined {
  if (!/^HTTP\/1\.[01] 200/i.test(answer)) return undefined;
  const m = /^location:\s*(\S+)\s*$/im.exec(answer);
  return m?.[1];
}

/**
 * The search could not be sent at all (the socket failed to bind or to send: EADDRINUSE, ENETUNREACH,
 * EPERM from a firewall rule on this host…). Unlike silence, this says nothing about whether a router is
 * there, so it is reported as what it is.
 */
export class SsdpSearchError extends Error {
  override readonly name = "SsdpSearchError";
  constructor(
    /** The system error code, e.g. "EPERM". */
    readonly code: string,
    /** Where it was sent from: "address:port", with the interface when one is known. */
    readonly from: string,
    cause: string,
  ) {
    super(`the SSDP search for a router could not be made from ${from}: ${cause}; no router was asked`);
  }
}

/** The interface that holds `address`, e.g. "eth0", or undefined when that cannot be told. */
function interfaceOf(address: string): string | undefined {
  let interfaces: ReturnType<typeof networkInterfaces>;
  try {
    interfaces = networkInterfaces();
  } catch {
    // It throws on a system error; the name only adorns the message, and a throw here would leave the
    // search hanging (its timer is already cleared) with a rejection nobody handles.
    return undefined;
  }
  for (const [name, entries] of Object.entries(interfaces))
    if (entries?.some((entry) => entry.address === address)) return name;
  return undefined;
}

/**
 * Where the search was (or would have been) sent from, for the error: the bound address, or else the
 * address and interface the kernel picks toward the multicast group (asking it sends nothing).
 */
async function senderOf(host: string, bound: { address: string; port: number } | undefined): Promise<string> {
  let address = bound?.address;
  if (!address || address === "0.0.0.0")
    address = await localAddressToward(host, SSDP_PORT).catch(() => address);
  if (!address) return `any address (no route toward ${host})`;
  const name = interfaceOf(address);
  const port = bound?.port ? `:${bound.port}` : "";
  return name ? `${address}${port} (${name})` : `${address}${port}`;
}

/**
 * Ask the LAN for an Internet Gateway Device with SSDP M-SEARCH and resolve with the first device
 * description URL that answers, or undefined when none answers in time. Sent from an ephemeral port on
 * the default route's interface, so it stays on the network this host is on. Rejects with
 * {@link SsdpSearchError} when the search cannot be sent: that is not the same as no router answering.
 */
export function searchGateway(options: SsdpSearchOptions = {}): Promise<string | undefined> {
  const timeoutMs = options.timeoutMs ?? 3_000;
  const host = options.address ?? SSDP_GROUP;
  return new Promise((resolve, reject) => {
    const v6 = host.includes(":") || !!options.localAddress?.includes(":");
    const socket = createSocket({ type: v6 ? "udp6" : "udp4" });
    let done = false;
    let bound: { address: string; port: number } | undefined;
    const finish = (location: string | undefined, error?: SsdpSearchError) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      socket.close();
      if (error) reject(error);
      else resolve(location);
    };
    const onAbort = () => finish(undefined);
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) return finish(undefined);
    socket.on("message", (message) => {
      const location = locationOf(message.toString("latin1"));
      if (location && /^https?:\/\//i.test(location)) finish(location);
    });
    let failed = false;
    const fail = (error: NodeJS.ErrnoException) => {
      if (done || failed) return;
      failed = true;
      clearTimeout(timer);
      const local = bound ?? (options.localAddress ? { address: options.localAddress, port: 0 } : undefined);
      void senderOf(host, local).then((from) =>
        finish(undefined, new SsdpSearchError(error.code ?? "ERROR", from, error.message)),
      );
    };
    // `on`: every later error of this socket must find a listener too; the first one ends the search.
    socket.on("error", fail);
    socket.bind({ port: 0, address: options.localAddress }, () => {
      if (done) return;
      bound = socket.address();
      if (host === SSDP_GROUP) socket.setMulticastTTL(2);
      if (v6 && options.multicastInterface) socket.setMulticastInterface(`::%${options.multicastInterface}`);
      // With a callback: without one, Node drops a send's error (EPERM, ENETUNREACH) without a word.
      for (const target of SEARCH_TARGETS)
        socket.send(searchMessage(target, host), SSDP_PORT, host, (error) => {
          if (error) fail(error);
        });
    });
  });
}
