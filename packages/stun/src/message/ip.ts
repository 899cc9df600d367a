import { isIPv4, isIPv6 } from "node:net";
import type { AddressFamily } from "./types.js";

/** Family of a literal IP address, or undefined when it is not one. */
export function familyOf(address: string): AddressFamily | undefined {
  if (isIPv4(address)) return "IPv4";
  if (isIPv6(address)) return "IPv6";
  return undefined;
}

/** 4 or 16 bytes of a literal IP address; throws on a non-literal (encoder input is trusted code). */
export function ipToBytes(address: string): Uint8Array {
  if (isIPv4(address)) return Uint8Array.from(address.split(".").map(Number));
  if (!isIPv6(address)) throw new TypeError(`not an IP address: ${JSON.stringify(address)}`);
  let text = address;
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  // An embedded dotted quad (::ffff:1.2.3.4) becomes two hextets.
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (tail.includes(".")) {
    const v4 = tail.split(".").map(Number);
    text = `${text.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const [head, rest] = text.includes("::") ? text.split("::") : [text, undefined];
  const headParts = head ? head.split(":") : [];
  const restParts = rest ? rest.split(":") : [];
  const fill = rest === undefined ? 0 : 8 - headParts.length - restParts.length;
  const hextets = [...headParts, ...new Array<string>(fill).fill("0"), ...restParts];
  const out = new Uint8Array(16);
  hextets.forEach((h, i) => {
    const v = Number.parseInt(h, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

/** Text form of 4 or 16 address bytes; IPv6 in the RFC 5952 short form. */
export function bytesToIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  const hextets: number[] = [];
  for (let i = 0; i < 16; i += 2) hextets.push((bytes[i]! << 8) | bytes[i + 1]!);
  // Longest run of two or more zero hextets collapses to "::".
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (hextets[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && hextets[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = hextets.map((h) => h.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

/** Canonical text of an address so two spellings of one IPv6 address compare equal. */
export function normalizeIp(address: string): string {
  const family = familyOf(address);
  if (family === undefined) return address;
  const bytes = ipToBytes(address);
  // Node reports IPv4 peers on dual-stack sockets as ::ffff:a.b.c.d; compare them as IPv4.
  if (
    family === "IPv6" &&
    bytes.slice(0, 10).every((b) => b === 0) &&
    bytes[10] === 0xff &&
    bytes[11] === 0xff
  ) {
    return bytesToIp(bytes.slice(12));
  }
  return bytesToIp(bytes);
}
