/** Live connections per peer address, for the per-IP limit. */
export class PerIpCounter {
  private readonly counts = new Map<string, number>();

  count(ip: string): number {
    return this.counts.get(ip) ?? 0;
  }

  add(ip: string): void {
    this.counts.set(ip, this.count(ip) + 1);
  }

  remove(ip: string): void {
    const left = this.count(ip) - 1;
    if (left > 0) this.counts.set(ip, left);
    else this.counts.delete(ip);
  }
}
