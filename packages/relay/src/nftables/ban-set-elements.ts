import { type Cidr, formatCidr, isCidrError, maskOf, parseCidr } from "@autostun/ip";
import type { ElementSpec } from "@autostun/netfilter";
import type { Ban } from "../bans/ban.js";

/** One element of a tunnel's kernel ban set: an IPv4 network and when the kernel lets it go (ms), or never. */
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

/**
 * What the kernel's ban set should hold for `bans` at `now`: the IPv4 networks that no wider ban
 * covers. The set is an interval set, and nft refuses an element inside another one ("interval
 * overlaps"), so a host banned inside a banned range is left to the range; when the range is lifted,
 * the host comes back as an element of its own. IPv6 bans cannot match the IPv4 peers these rules see.
 */
export function banSetElements(bans: readonly Ban[], now = Date.now()): BanSetElement[] {
  const parsed: { ban: Ban; cidr: Cidr }[] = [];
  for (const ban of bans) {
    const cidr = parseCidr(ban.cidr);
    if (!isCidrError(cidr)) parsed.push({ ban: { ...ban, cidr: formatCidr(cidr) }, cidr });
  }
  return banSetElementsOf(parsed, now);
}

/**
 * `banSetElements` for networks parsed already (the BanList keeps them so). Runs on every ban change,
 * so it only probes the prefix lengths that are banned at all: a list of 50,000 hosts is one pass with
 * no lookups, not 32 per host.
 */
export function banSetElementsOf(
  networks: Iterable<{ ban: Ban; cidr: Cidr }>,
  now = Date.now(),
): BanSetElement[] {
  // The ban's own text is canonical already: formatting 50,000 networks again on every change was the
  // larger part of a ban's cost.
  const live: { cidr: Cidr; text: string; expiresAt: number | null }[] = [];
  const byLength = new Map<number, Set<bigint>>();
  for (const { ban, cidr } of networks) {
    const expiresAt = ban.expiresAt?.getTime() ?? null;
    if (expiresAt !== null && expiresAt <= now) continue;
    if (cidr.family !== 4) continue;
    live.push({ cidr, text: ban.cidr, expiresAt });
    const held = byLength.get(cidr.prefix) ?? new Set<bigint>();
    byLength.set(cidr.prefix, held);
    held.add(cidr.network);
  }
  const lengths = [...byLength.keys()].sort((a, b) => a - b);
  const covered = (cidr: Cidr) => {
    for (const prefix of lengths) {
      if (prefix >= cidr.prefix) return false;
      if (byLength.get(prefix)?.has(cidr.network & maskOf(4, prefix))) return true;
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

/** Whether two IPv4 networks share an address: then one holds the other. */
export function networksOverlap(a: string, b: string): boolean {
  const left = parseCidr(a);
  const right = parseCidr(b);
  if (isCidrError(left) || isCidrError(right)) return false;
  const prefix = Math.min(left.prefix, right.prefix);
  return (left.network & maskOf(4, prefix)) === (right.network & maskOf(4, prefix));
}
