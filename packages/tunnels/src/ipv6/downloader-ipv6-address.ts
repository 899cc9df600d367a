import { BlockList, isIP } from "node:net";
import type { HostIpv6Address } from "./host-ipv6.js";

/** What is known of the tunnel's target, for placing the downloader. */
export interface TargetPlace {
  /** The validated target's address literal. */
  host: string;
  scope: "loopback" | "lan" | "this-host";
}

/**
 * Where peers reach the downloader over IPv6: on this host at `address` (undefined when this host has no
 * global IPv6 address; `why` says so), or on another machine, whose address this host cannot know and
 * for which it cannot open the router (`why`).
 */
export type DownloaderIpv6Place =
  | { onThisHost: true; address?: string; why?: string }
  | { onThisHost: false; why: string };

export interface PlaceFacts {
  /** This host's global IPv6 addresses, stable first. */
  globals: readonly HostIpv6Address[];
  /** Every address of this host (any family), to tell this host's own LAN address from another machine's. */
  localAddresses: readonly string[];
  /** Where the downloader's TCP listeners on its port are bound, when known. */
  bound?: readonly string[];
}

/** Equal addresses however they are written (`2001:DB8::1` and `2001:db8:0::1`). */
export function sameAddress(a: string, b: string): boolean {
  const bare = (text: string) => text.replace(/%.*$/, "");
  const family = isIP(bare(a));
  if (family === 0 || family !== isIP(bare(b))) return false;
  const list = new BlockList();
  const type = family === 6 ? "ipv6" : "ipv4";
  list.addAddress(bare(a), type);
  return list.check(bare(b), type);
}

export const ELSEWHERE_WHY =
  "the downloader runs on another machine: a router opens pinholes only to the host that asks, so run AutoSTUN on that machine, or open the port on the router for it";
export const NO_GLOBAL_WHY =
  "this host has no global IPv6 address (2000::/3): peers cannot reach it over IPv6";

/**
 * The downloader runs on this host when the target is loopback or one of this host's addresses. Its
 * IPv6 address is then the global address it is bound to (a target or listener on one), else this
 * host's stable global address: the temporary ones rotate and are never announced.
 */
export function placeDownloader(target: TargetPlace, facts: PlaceFacts): DownloaderIpv6Place {
  const mine =
    target.scope !== "lan" || facts.localAddresses.some((local) => sameAddress(target.host, local));
  if (!mine) return { onThisHost: false, why: ELSEWHERE_WHY };
  const bound = facts.bound ?? [];
  // In the globals' own order: a client bound per interface (libtorrent) holds the temporary address
  // too, and the stable one must still win.
  const chosen =
    facts.globals.find((g) => sameAddress(g.address, target.host)) ??
    facts.globals.find((g) => bound.some((b) => sameAddress(g.address, b))) ??
    facts.globals[0];
  if (chosen) return { onThisHost: true, address: chosen.address };
  return { onThisHost: true, why: NO_GLOBAL_WHY };
}
