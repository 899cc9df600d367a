import { isIP } from "node:net";
import { forbiddenAddressText } from "@autostun/relay";

/** The host and port of a "host:port" that passed the shape check, brackets taken off an IPv6 host. */
export function splitTarget(value: string): { host: string; port: number } | undefined {
  const colon = value.lastIndexOf(":");
  if (colon < 1) return undefined;
  const port = Number(value.slice(colon + 1));
  if (!Number.isInteger(port)) return undefined;
  return { host: value.slice(0, colon).replace(/^\[(.*)\]$/, "$1"), port };
}

/**
 * A host that is certainly this machine, judged from its text alone: loopback, the unspecified address
 * (what a listener on "all addresses" shows) or the name localhost. Names and this host's LAN addresses
 * are judged again when the tunnel starts, with the resolver and the interface list.
 */
export function isThisHostText(host: string): boolean {
  const bare = host.split("%")[0]?.toLowerCase() ?? "";
  if (bare === "localhost" || bare.endsWith(".localhost")) return true;
  if (isIP(bare) === 4) return bare.startsWith("127.") || bare === "0.0.0.0";
  if (isIP(bare) === 6) return bare === "::1" || bare === "::" || /^::ffff:127\./.test(bare);
  return false;
}

/** Why `target` may never be forwarded to, from its text alone (a literal address), or undefined. */
export function forbiddenTarget(target: string): string | undefined {
  const split = splitTarget(target);
  return split ? forbiddenAddressText(split.host) : undefined;
}

export const OWN_API_ADVICE =
  'Point the tunnel at the downloader\'s port instead (e.g. "127.0.0.1:6881"); the API is reached on api.listen directly.';
export const SELF_LOOP_ADVICE =
  'Point the tunnel at the downloader\'s port instead (e.g. "127.0.0.1:6881"), not at a port a tunnel listens on.';

/** The refusal of a target on the daemon's own API port, in words. */
export function ownApiProblem(port: number, listen: string): string {
  return `port ${port} of this host is the daemon's own API (api.listen ${listen}); a tunnel there would publish the API to every peer on the internet. ${OWN_API_ADVICE}`;
}

/** The refusal of a target on a tunnel's own port: `owner` is undefined for the tunnel itself. */
export function selfLoopProblem(port: number, owner?: string): string {
  const whose = owner === undefined ? "the tunnel's localPort, its own port" : `tunnel "${owner}"'s own port`;
  return `port ${port} of this host is ${whose}; each connection would be forwarded into a tunnel again, without end. ${SELF_LOOP_ADVICE}`;
}
