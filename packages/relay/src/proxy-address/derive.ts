import type { IpAddress } from "@autostun/ip";

/**
 * The 127.x.y.z address a peer is shown as to a loopback downloader, for the given probe round.
 * Round 0 is stable across runs and restarts (the same peer is the same 127 address tomorrow, so the
 * downloader's per-IP state and any ban tool keyed on it stay meaningful); later rounds are how a
 * collision is stepped around. Never 127.0.0.1 (the downloader's own traffic, and often treated as
 * trusted) and never a .0 or .255 last octet, which some software reads as network or broadcast.
 */
export function deriveProxyIp(peer: IpAddress, round: number): string {
  let hash = fnv1a(peer, round);
  // 256 * 256 * 254 usable addresses: second and third octet free, last octet in 1..254.
  hash %= 256 * 256 * 254;
  const last = (hash % 254) + 1;
  const rest = Math.floor(hash / 254);
  const second = rest >>> 8;
  const third = rest & 255;
  if (second === 0 && third === 0 && last === 1) return "127.0.0.2";
  return `127.${second}.${third}.${last}`;
}

function fnv1a(peer: IpAddress, round: number): number {
  let hash = 0x811c9dc5;
  const step = (byte: number) => {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  };
  step(peer.family);
  const bytes = peer.family === 4 ? 4 : 16;
  for (let i = bytes - 1; i >= 0; i--) step(Number((peer.value >> BigInt(i * 8)) & 0xffn));
  step(round & 0xff);
  step((round >>> 8) & 0xff);
  return hash;
}
