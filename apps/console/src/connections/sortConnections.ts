import type { PeerConnection } from "./types.js";

/** Columns the table sorts by. */
export type SortKey = "opened" | "bytes" | "rate";
export type SortDirection = "asc" | "desc";

export interface SortOrder {
  key: SortKey;
  direction: SortDirection;
}

/** Newest first: what a user opening the table wants to see. */
export const DEFAULT_SORT: SortOrder = { key: "opened", direction: "desc" };

/**
 * Sorts a copy of the list. Ties fall back to the connection id so rows with equal values keep
 * their places between live updates instead of swapping on every event.
 */
export function sortConnections(
  list: readonly PeerConnection[],
  order: SortOrder,
  rates: ReadonlyMap<string, number> = new Map(),
): PeerConnection[] {
  const value = (connection: PeerConnection): number => {
    switch (order.key) {
      case "opened":
        return Date.parse(connection.openedAt);
      case "bytes":
        return connection.bytesIn + connection.bytesOut;
      case "rate":
        return rates.get(connection.id) ?? 0;
    }
  };
  const sign = order.direction === "asc" ? 1 : -1;
  return [...list].sort((a, b) => {
    const difference = value(a) - value(b);
    if (difference !== 0) return sign * difference;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

/** The order after a click on a column header: the same column flips, a new one starts descending. */
export function toggleSort(current: SortOrder, key: SortKey): SortOrder {
  if (current.key !== key) return { key, direction: "desc" };
  return { key, direction: current.direction === "desc" ? "asc" : "desc" };
}

/** One page of a sorted list, and how many pages there are (at least one, even when empty). */
export function pageOf<T>(
  list: readonly T[],
  page: number,
  size: number,
): { rows: T[]; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(list.length / size));
  const clamped = Math.min(Math.max(0, page), pages - 1);
  return { rows: list.slice(clamped * size, clamped * size + size), page: clamped, pages };
}
