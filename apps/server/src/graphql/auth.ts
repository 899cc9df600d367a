import { timingSafeEqual } from "node:crypto";

/** Compares a presented `Bearer <token>` with the configured token in constant time. */
export function bearerMatches(presented: string | null | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(presented?.trim() ?? "");
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Addresses that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "");
  return bare === "localhost" || bare === "::1" || /^127\.\d+\.\d+\.\d+$/.test(bare);
}
