import { type Cidr, formatCidr, isCidrError, maskOf, parseCidr } from "@autostun/ip";
import type { ElementSpec } from "@autostun/netfilter";
import type { Ban } from "../bans/ban.js";

/** One element of a tunnel's kernel ban sets: a network and when the kernel lets it go (ms), or never. */
export interface BanSetElement {
  readonly cidr: string;
  readonly expiresAt: number | null;
}

/** nft 1.0.6 refuses an element timeout of 100000000 s or more ("value too large"). */
export const NFT_MAX_TIMEOUT_SECONDS = 99_999_999;

/**
 * The kernel-side timeout for a ban, or none for one longer than nft takes: the BanList's own expiry
 * removes the element either way, the kernel timeout only covers a daemon that died meanwhile.
 */
export function kernelTimeout(ttlSeconds: number | undefined): number | undefined {
  if (!ttlSeconds) return undefined;
  const seconds = Math.max(1, Math.ceil(ttlSeconds));
  return seconds > NFT_MAX_TIMEOUT_SECONDS ? undefined : seconds;
}

/** Which address families a tunnel's kernel sets hold: IPv4 for its tunnel, IPv6 for its downloader's own address. */
export type BanFamilies = ReadonlySet<4 | 6>;

export const IPV4_ONLY: BanFamilies = new Set([4]);

/**
 * What the kernel's ban sets should hold for `bans` at `now`: the networks of `families` that no wider
 * ban covers. The range sets are interval sets, and nft refuses an element inside another one ("interval
 * overlaps"), so a host banned inside a banned range is left to the range; when the range is lifted,
 * the host comes back as an element of its own. IPv4 only unless IPv6 is asked for: a tunnel's entrance
 * sees IPv4 peers, and only a downloader on this host is reached over IPv6 as well.
 */
export function banSetElements(
  bans: readonly Ban[],
  now = Date.now(),
  families: BanFamilies = IPV4_ONLY,
): BanSetElement[] {
  const parsed: { ban: Ban; cidr: Cidr }[] = [];
  for (const ban of bans) {
    const cidr = parseCidr(ban.cidr);
    if (!isCidrError(cidr)) parsed.push({ ban: { ...ban, cidr: formatCidr(cidr) }, cidr });
  }
  return banSetElementsOf(parsed, now, families);
}

/**
 * `banSetElements` for networks parsed already (the BanList keeps them so). Runs on every ban change,
 * so it only probes the prefix lengths that are banned at all: a list of 50,000 hosts is one pass with
 * no lookups, not 32 per host.
 */
export function banSetElementsOf(
  networks: Iterable<{ ban: Ban; cidr: Cidr }>,
  now = Date.now(),
  families: BanFamilies = IPV4_ONLY,
): BanSetElement[] {
  // The ban's own text is canonical already: formatting 50,000 networks again on every change was the
  // larger part of a ban's cost.
  const live: { cidr: Cidr; text: string; expiresAt: number | null }[] = [];
  const byLength = { 4: new Map<number, Set<bigint>>(), 6: new Map<number, Set<bigint>>() };
  for (const { ban, cidr } of networks) {
    const expiresAt = ban.expiresAt?.getTime() ?? null;
    if (expiresAt !== null && expiresAt <= now) continue;
    if (!families.has(cidr.family)) continue;
    live.push({ cidr, text: ban.cidr, expiresAt });
    const lengths = byLength[cidr.family];
    const held = lengths.get(cidr.prefix) ?? new Set<bigint>();
    lengths.set(cidr.prefix, held);
    held.add(cidr.network);
  }
  const lengths = {
    4: [...byLength[4].keys()].sort((a, b) => a - b),
    6: [...byLength[6].keys()].sort((a, b) => a - b),
  };
  const covered = (cidr: Cidr) => {
    for (const prefix of lengths[cidr.family]) {
      if (prefix >= cidr.prefix) return false;
      if (byLength[cidr.family].get(prefix)?.has(cidr.network & maskOf(cidr.family, prefix))) return true;
    }
    return false;
  };
  const elements: BanSetElement[] = [];
  for (const { cidr, text, expiresAt } of live) if (!covered(cidr)) elements.push({ cidr: text, expiresAt });
  return elements;
}

/** The element for nft, its timeout counted from `now`. */
export function banElementSpec(element: BanSetElement, now = Date.now()): ElementSpec {
  const left = element.expiresAt === null ? undefined : (element.expiresAt - now) / 1000;
  const timeoutSeconds = kernelTimeout(left);
  return timeoutSeconds ? { address: element.cidr, timeoutSeconds } : { address: element.cidr };
}

/** Whether two networks of one family share an address: then one holds the other. */
export function networksOverlap(a: string, b: string): boolean {
  const left = parseCidr(a);
  const right = parseCidr(b);
  if (isCidrError(left) || isCidrError(right) || left.family !== right.family) return false;
  const prefix = Math.min(left.prefix, right.prefix);
  const mask = maskOf(left.family, prefix);
  return (left.network & mask) === (right.network & mask);
}

/** An element's address family: IPv6 text always holds a colon, IPv4 text never. */
export function elementFamily(cidr: string): 4 | 6 {
  return cidr.includes(":") ? 6 : 4;
}

/** A single host (/32, or /128 for IPv6): it goes in a hash set, not an interval set. */
export function isHostElement(cidr: string): boolean {
  return cidr.endsWith(elementFamily(cidr) === 6 ? "/128" : "/32");
}
