import { type IpAddress, parseIp } from "@autostun/ip";
import { describe, expect, it } from "vitest";
import { deriveProxyIp } from "./derive.js";
import { ProxyAddressPool } from "./proxy-address-pool.js";

const v4 = (n: number): IpAddress => ({ family: 4, value: BigInt(n) });

/** Two different peers whose stable addresses collide, found by walking addresses (birthday bound). */
function collidingPair(): [IpAddress, IpAddress] {
  const seen = new Map<string, IpAddress>();
  for (let n = 0x01000000; ; n++) {
    const peer = v4(n);
    const derived = deriveProxyIp(peer, 0);
    const earlier = seen.get(derived);
    if (earlier) return [earlier, peer];
    seen.set(derived, peer);
  }
}

describe("proxy addresses", () => {
  it("are stable, inside 127/8, never 127.0.0.1 and never a .0 or .255 last octet", () => {
    const peer = parseIp("2001:db8::42")!;
    expect(deriveProxyIp(peer, 0)).toBe(deriveProxyIp(parseIp("2001:db8::42")!, 0));
    const misplaced: string[] = [];
    for (let n = 0; n < 20_000; n++) {
      const derived = deriveProxyIp(v4((n * 2654435761) >>> 0), 0);
      const octets = derived.split(".").map(Number);
      const last = octets[3] ?? 0;
      if (octets[0] !== 127 || derived === "127.0.0.1" || last < 1 || last > 254) misplaced.push(derived);
    }
    expect(misplaced).toEqual([]);
  });

  it("give two live peers that collide different addresses, and one peer the same address", () => {
    const [a, b] = collidingPair();
    const pool = new ProxyAddressPool();
    const forA = pool.acquire(a);
    const forB = pool.acquire(b);
    expect(forA).toBe(deriveProxyIp(a, 0));
    expect(forB).not.toBe(forA);
    expect(pool.acquire(a)).toBe(forA);
    pool.release(forA);
    pool.release(forA);
    // A's address is free again, so B's next connection gets its stable one.
    pool.release(forB);
    expect(pool.acquire(b)).toBe(forA);
  });
});
