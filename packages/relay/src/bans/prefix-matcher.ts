import { type Cidr, type IpAddress, maskOf } from "@autostun/ip";

/**
 * Longest-prefix lookup over many networks: one hash map per prefix length in use, so a lookup is
 * at most one masked map probe per distinct length (a handful in practice, 129 at worst) however
 * many thousands of networks are banned.
 */
export class PrefixMatcher<T> {
  private readonly byLength: [Map<number, Map<bigint, T>>, Map<number, Map<bigint, T>>] = [
    new Map(),
    new Map(),
  ];
  /** Lengths in use per family, longest first. */
  private lengths: [number[], number[]] = [[], []];
  private count = 0;

  set(cidr: Cidr, value: T): void {
    const slot = this.slot(cidr.family);
    let table = this.byLength[slot].get(cidr.prefix);
    if (!table) {
      table = new Map();
      this.byLength[slot].set(cidr.prefix, table);
      this.lengths[slot] = [...this.byLength[slot].keys()].sort((a, b) => b - a);
    }
    if (!table.has(cidr.network)) this.count++;
    table.set(cidr.network, value);
  }

  delete(cidr: Cidr): boolean {
    const slot = this.slot(cidr.family);
    const table = this.byLength[slot].get(cidr.prefix);
    if (!table?.delete(cidr.network)) return false;
    this.count--;
    if (table.size === 0) {
      this.byLength[slot].delete(cidr.prefix);
      this.lengths[slot] = [...this.byLength[slot].keys()].sort((a, b) => b - a);
    }
    return true;
  }

  /** The most specific network holding `ip`. */
  match(ip: IpAddress): T | undefined {
    const slot = this.slot(ip.family);
    for (const length of this.lengths[slot]) {
      const hit = this.byLength[slot].get(length)?.get(ip.value & maskOf(ip.family, length));
      if (hit !== undefined) return hit;
    }
    return undefined;
  }

  /** The most specific network holding `ip` among those shorter than `prefix` (what covers a network). */
  matchWider(ip: IpAddress, prefix: number): T | undefined {
    const slot = this.slot(ip.family);
    for (const length of this.lengths[slot]) {
      if (length >= prefix) continue;
      const hit = this.byLength[slot].get(length)?.get(ip.value & maskOf(ip.family, length));
      if (hit !== undefined) return hit;
    }
    return undefined;
  }

  get size(): number {
    return this.count;
  }

  private slot(family: 4 | 6): 0 | 1 {
    return family === 4 ? 0 : 1;
  }
}
