import type { Cidr } from "@autostun/ip";
import type { Disposable } from "@autostun/plugins-api";
import type { BanList } from "../bans/ban-list.js";
import { type BanFamilies, type BanSetElement, IPV4_ONLY } from "./ban-set-elements.js";

/** What changed in a tunnel's host set since the last update: elements to write, hosts to take out. */
export interface HostBanDelta {
  add: BanSetElement[];
  remove: string[];
}

/**
 * Follows the ban list between two updates of a tunnel's kernel sets, so that a burst of host bans is
 * applied as a delta (O(changes)) instead of recomputing and comparing every ban (O(bans): 50-90 ms a
 * ban at 50,000). Only single hosts of `families` take this path; a range, or an update that failed,
 * makes the next update a full one. Bans of other families are none of this tunnel's sets' business.
 */
export class HostBanChanges implements Disposable {
  private readonly pending = new Map<string, Cidr>();
  private full = true;
  private readonly subscription: Disposable;

  constructor(
    private readonly bans: BanList,
    families: BanFamilies = IPV4_ONLY,
  ) {
    this.subscription = bans.onChange((event) => {
      if (!families.has(event.cidr.family)) return;
      if (event.cidr.prefix === (event.cidr.family === 6 ? 128 : 32))
        this.pending.set(event.ban.cidr, event.cidr);
      else this.full = true;
    });
  }

  /**
   * The delta since the last call, or undefined when only a full recomputation is right (first run, a
   * range changed, or `needFull` was called). Either way what was pending is taken.
   */
  take(now = Date.now()): HostBanDelta | undefined {
    const hosts = [...this.pending.entries()];
    this.pending.clear();
    if (this.full) {
      this.full = false;
      return undefined;
    }
    const delta: HostBanDelta = { add: [], remove: [] };
    for (const [cidr, parsed] of hosts) {
      const ban = this.bans.get(cidr);
      const expiresAt = ban?.expiresAt?.getTime() ?? null;
      const live = ban !== undefined && (expiresAt === null || expiresAt > now);
      // A host a banned range holds stays out of the set, as in a full recomputation.
      const covered = live && this.bans.widerBan(parsed) !== undefined;
      if (live && !covered) delta.add.push({ cidr, expiresAt });
      else delta.remove.push(cidr);
    }
    return delta;
  }

  /** The next update must compare everything (the last one failed, so the delta is lost). */
  needFull(): void {
    this.full = true;
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
