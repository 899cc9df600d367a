import type { ByteSample } from "../dashboard/throughput.js";
import { rateBetween } from "../dashboard/throughput.js";
import type { ConnectionEvent, PeerConnection } from "./types.js";

/** The table's state: connections by id and the last byte reading of each, for its current rate. */
export interface ConnectionTable {
  byId: ReadonlyMap<string, PeerConnection>;
  samples: ReadonlyMap<string, ByteSample>;
  /** Bytes per second both ways, from the last two readings of each live connection. */
  rates: ReadonlyMap<string, number>;
}

export const EMPTY_TABLE: ConnectionTable = { byId: new Map(), samples: new Map(), rates: new Map() };

/** Byte counters only grow; a reading with fewer bytes is older than the one held. */
function isOlder(incoming: PeerConnection, held: PeerConnection): boolean {
  if (held.closedAt && !incoming.closedAt) return true;
  return incoming.bytesIn + incoming.bytesOut < held.bytesIn + held.bytesOut;
}

/**
 * Folds connections from a query answer into the table. A row already held from a live event is
 * kept when it is newer, so a slow answer never undoes an event that arrived meanwhile.
 */
export function applyConnectionSnapshot(
  table: ConnectionTable,
  connections: readonly PeerConnection[],
  now: number,
): ConnectionTable {
  const byId = new Map(table.byId);
  const samples = new Map(table.samples);
  for (const connection of connections) {
    const held = byId.get(connection.id);
    if (held && isOlder(connection, held)) continue;
    byId.set(connection.id, connection);
    if (!samples.has(connection.id)) samples.set(connection.id, sampleOf(connection, now));
  }
  return { byId, samples, rates: table.rates };
}

/**
 * Folds one live event in. The rate of a connection is the bytes it moved since its previous
 * reading divided by the time between them; a closed connection moves nothing any more.
 */
export function applyConnectionEvent(
  table: ConnectionTable,
  event: ConnectionEvent,
  now: number,
): ConnectionTable {
  const connection = event.connection;
  const held = table.byId.get(connection.id);
  if (held && isOlder(connection, held)) return table;
  const byId = new Map(table.byId).set(connection.id, connection);
  const samples = new Map(table.samples);
  const rates = new Map(table.rates);
  const previous = samples.get(connection.id);
  const sample = sampleOf(connection, now);
  samples.set(connection.id, sample);
  if (event.type === "CLOSED" || connection.closedAt) {
    rates.delete(connection.id);
  } else if (previous) {
    const rate = rateBetween(previous, sample);
    rates.set(connection.id, rate.inPerSecond + rate.outPerSecond);
  }
  return { byId, samples, rates };
}

/** Forgets closed connections beyond the newest `keep`, so a long-open page does not grow for ever. */
export function pruneClosed(table: ConnectionTable, keep: number): ConnectionTable {
  const closed = [...table.byId.values()]
    .filter((connection) => connection.closedAt)
    .sort((a, b) => Date.parse(b.closedAt ?? "") - Date.parse(a.closedAt ?? ""));
  if (closed.length <= keep) return table;
  const byId = new Map(table.byId);
  const samples = new Map(table.samples);
  for (const connection of closed.slice(keep)) {
    byId.delete(connection.id);
    samples.delete(connection.id);
  }
  return { byId, samples, rates: table.rates };
}

function sampleOf(connection: PeerConnection, now: number): ByteSample {
  return { at: now, bytesIn: connection.bytesIn, bytesOut: connection.bytesOut };
}

/**
 * The daemon reports a connection's bytes every 5 s, and only when they changed; a connection heard
 * from longer ago than this is idle, whatever its last rate was.
 */
export const RATE_STALE_AFTER_MS = 12_000;

/** Bytes per second a connection moves now, as of `now`. */
export function currentRate(table: ConnectionTable, id: string, now: number): number {
  const sample = table.samples.get(id);
  if (!sample || now - sample.at > RATE_STALE_AFTER_MS) return 0;
  return table.rates.get(id) ?? 0;
}
