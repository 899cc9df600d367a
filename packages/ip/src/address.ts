import { isIPv4, isIPv6 } from "node:net";
import { bytesToIp } from "@autostun/stun";

/**
 * An IP address as an integer, so ranges and prefixes are arithmetic instead of string matching.
 * IPv4-mapped IPv6 (`::ffff:1.2.3.4`, what a dual-stack listener reports for IPv4 peers) is folded
 * into IPv4: a ban on 1.2.3.0/24 must catch the peer either way.
 */
export interface IpAddress {
  readonly family: 4 | 6;
  /** 32 or 128 bits, most significant first. */
  readonly value: bigint;
}

export function parseIp(text: string): IpAddress | undefined {
  const bare = stripZone(text);
  if (isIPv4(bare)) return { family: 4, value: ipv4ToBigInt(bare) };
  if (!isIPv6(bare)) return undefined;
  const value = ipv6ToBigInt(bare);
  if (value >> 32n === 0xffffn) return { family: 4, value: value & 0xffffffffn };
  return { family: 6, value };
}

/** Canonical text: dotted quad, or RFC 5952 short form (the STUN codec's formatter, one for both packages). */
export function formatIp(ip: IpAddress): string {
  const bytes = new Uint8Array(ip.family === 4 ? 4 : 16);
  let rest = ip.value;
  for (let i = bytes.length - 1; i >= 0; i--) {
    bytes[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return bytesToIp(bytes);
}

export function bitsOf(family: 4 | 6): 32 | 128 {
  return family === 4 ? 32 : 128;
}

function stripZone(text: string): string {
  const percent = text.indexOf("%");
  return percent < 0 ? text : text.slice(0, percent);
}

function ipv4ToBigInt(text: string): bigint {
  let value = 0n;
  for (const part of text.split(".")) value = (value << 8n) | BigInt(Number(part));
  return value;
}

function ipv6ToBigInt(text: string): bigint {
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".", lastColon)) {
    tailV4 = ipv4ToBigInt(text.slice(lastColon + 1));
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left = "", right] = head.split("::");
  const leftGroups = left === "" ? [] : left.split(":");
  const rightGroups = right === undefined || right === "" ? [] : right.split(":");
  const missing = 8 - leftGroups.length - rightGroups.length;
  const groups = [
    ...leftGroups,
    ...new Array<string>(right === undefined ? 0 : missing).fill("0"),
    ...rightGroups,
  ];
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(Number.parseInt(g, 16));
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4;
  return value;
}
