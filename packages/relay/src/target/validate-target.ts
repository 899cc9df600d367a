import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { addressKind, formatIp, type IpAddress, parseIp } from "@autostun/ip";
import { parseHostPort } from "@autostun/stun";
import { readInterfaces } from "../ip/interfaces.js";
import { FORBIDDEN_ADVICE, forbiddenAddress } from "./forbidden-addresses.js";
import { TargetRefusedError } from "./target-error.js";

export type TargetScope = "loopback" | "lan" | "this-host";

/** A target that passed validation, pinned to one address so later DNS answers cannot move it. */
export interface ForwardTarget {
  readonly tunnelId: string;
  /** As configured, for messages. */
  readonly text: string;
  /** The IP literal the forwarder connects to. */
  readonly host: string;
  readonly port: number;
  readonly ip: IpAddress;
  readonly scope: TargetScope;
}

export interface TargetValidationOptions {
  /** Addresses of this machine; defaults to every interface address. */
  localAddresses?: () => readonly string[];
  /** Hostname resolution; defaults to the system resolver (hosts file, Docker's DNS, …). */
  lookup?: (host: string) => Promise<readonly string[]>;
  /**
   * Ports of this host that a tunnel must never forward to (the daemon's API, the tunnels' own
   * listeners): a peer would reach the API from the internet, or one connection would chain into
   * itself until the descriptors run out.
   */
  ownPorts?: () => readonly OwnPort[];
}

/** A port this host serves itself, and what serves it, in words ("the daemon's own API"). */
export interface OwnPort {
  readonly port: number;
  readonly what: string;
  /** What to do instead. */
  readonly advice: string;
}

/**
 * Where a literal address falls, or undefined when it is outside what a tunnel may reach.
 * 100.64.0.0/10 (carrier-grade NAT) is not LAN: it is the carrier's space shared with other
 * subscribers, so forwarding there would relay strangers into someone else's network. An address of
 * this machine is fine whatever its range (a Tailscale 100.x interface, a public IPv6 on this host).
 */
export function scopeOf(ip: IpAddress, localAddresses: readonly string[]): TargetScope | undefined {
  const kind = addressKind(ip);
  if (kind === "loopback") return "loopback";
  if (kind === "private") return "lan";
  const own = localAddresses.map(parseIp).some((a) => a && a.family === ip.family && a.value === ip.value);
  return own ? "this-host" : undefined;
}

/**
 * Checks a tunnel's `target` and pins it. Hostnames are resolved once, here, and every address the
 * name has must be local: a name that also points outside could be flipped there later. The first
 * address is kept and used for every connection, so no later DNS answer can turn the tunnel into a
 * proxy to the internet; a downloader that moves (a container recreated with another address) needs
 * the tunnel restarted, which re-resolves.
 */
export async function validateTarget(
  tunnelId: string,
  target: string,
  options: TargetValidationOptions = {},
): Promise<ForwardTarget> {
  const split = parseHostPort(target.trim());
  if ("error" in split) throw new TargetRefusedError(tunnelId, target, split.error);
  const locals = (options.localAddresses ?? interfaceAddresses)();
  let addresses: readonly string[];
  if (isIP(split.host.split("%")[0] ?? "")) {
    addresses = [split.host];
  } else {
    try {
      addresses = await (options.lookup ?? systemLookup)(split.host);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new TargetRefusedError(tunnelId, target, `the name "${split.host}" does not resolve (${why})`);
    }
    if (addresses.length === 0) {
      throw new TargetRefusedError(tunnelId, target, `the name "${split.host}" has no address`);
    }
  }
  let pinned: { ip: IpAddress; scope: TargetScope } | undefined;
  for (const text of addresses) {
    const ip = parseIp(text);
    const shown = text === split.host ? text : `${split.host} → ${text}`;
    // Before the scope: fd00:ec2::254 is in fc00::/7 and would pass as LAN.
    const forbidden = ip && forbiddenAddress(ip);
    if (forbidden) throw new TargetRefusedError(tunnelId, target, `${shown}: ${forbidden}`, FORBIDDEN_ADVICE);
    const scope = ip && scopeOf(ip, locals);
    if (!ip || !scope) {
      throw new TargetRefusedError(tunnelId, target, `${shown} is neither loopback, LAN nor this host`);
    }
    // This host's own LAN address counts too: the API on 0.0.0.0 answers there as well.
    const mine = scope !== "lan" || locals.some((local) => sameIp(local, ip));
    if (mine) {
      const own = options.ownPorts?.().find((entry) => entry.port === split.port);
      if (own)
        throw new TargetRefusedError(
          tunnelId,
          target,
          `port ${own.port} of this host is ${own.what}`,
          own.advice,
        );
    }
    pinned ??= { ip, scope };
  }
  if (!pinned) throw new TargetRefusedError(tunnelId, target, "no address to connect to");
  return {
    tunnelId,
    text: target,
    host: formatIp(pinned.ip),
    port: split.port,
    ip: pinned.ip,
    scope: pinned.scope,
  };
}

function sameIp(text: string, ip: IpAddress): boolean {
  const other = parseIp(text);
  return other !== undefined && other.family === ip.family && other.value === ip.value;
}

function interfaceAddresses(): string[] {
  // Out of descriptors this throws an error saying EMFILE; saveTunnel turns that into a clear refusal.
  return Object.values(readInterfaces()).flatMap((list) => (list ?? []).map((entry) => entry.address));
}

async function systemLookup(host: string): Promise<string[]> {
  // IPv4 first: only an IPv4 loopback target can show peers as distinct 127.x.y.z sources.
  const answers = await dnsLookup(host, { all: true, verbatim: false });
  return answers.map((answer) => answer.address);
}
