import type { Disposable } from "@autostun/plugins-api";
import type { Ban, BanEvent, BanList } from "@autostun/relay";

/** What a `bansChanged` event says happened; a closed set, so clients can switch on it. */
export type BanChangeKind = "ADDED" | "REMOVED" | "EXPIRED" | "RELOADED";

/**
 * One burst of ban changes of one kind. Only the changed bans travel, and at most
 * MAX_BANS_PER_CHANGE of them: past that (a bulk ban, a ban-list file reload) `bans` is empty and
 * `count` tells the client to page the list again. Sending the whole list to every subscriber cost
 * 1 MB per subscriber per ban at 50,000 bans.
 */
export interface BansChange {
  readonly kind: BanChangeKind;
  readonly bans: readonly Ban[];
  /** How many bans changed in this burst; more than `bans.length` when they were left out. */
  readonly count: number;
  /** How many bans there are after the change. */
  readonly total: number;
}

export const MAX_BANS_PER_CHANGE = 100;

function kindOf(event: BanEvent): BanChangeKind {
  if (event.cause === "file") return "RELOADED";
  if (event.cause === "expiry") return "EXPIRED";
  return event.type === "banned" ? "ADDED" : "REMOVED";
}

/**
 * Follows the ban list and publishes one change per kind for each burst (everything one call or one
 * file reload did before the next turn of the event loop), so a reload of many lines or a bulk ban is
 * one event, not one per line, until the returned Disposable is disposed.
 */
export function publishBanChanges(bans: BanList, publish: (change: BansChange) => void): Disposable {
  let pending: Map<BanChangeKind, Map<string, Ban>> | undefined;
  const flush = () => {
    const burst = pending;
    pending = undefined;
    for (const [kind, changed] of burst ?? []) {
      const count = changed.size;
      // A reload may add and lift lines at once: the client re-reads rather than guesses which.
      const listed = kind !== "RELOADED" && count <= MAX_BANS_PER_CHANGE;
      publish({ kind, bans: listed ? [...changed.values()] : [], count, total: bans.size });
    }
  };
  return bans.onChange((event) => {
    if (!pending) {
      pending = new Map();
      queueMicrotask(flush);
    }
    const kind = kindOf(event);
    const changed = pending.get(kind) ?? new Map<string, Ban>();
    pending.set(kind, changed);
    changed.set(event.ban.cidr, event.ban);
  });
}
