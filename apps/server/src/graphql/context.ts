import type { CheckEngine } from "../engine/engine.js";
import type { DaemonEvents } from "../engine/model.js";
import type { EventBus } from "../events/bus.js";
import type { ExtensionHost } from "../extensions/host.js";

/** What belongs to one request (HTTP) or one connection (WebSocket) rather than to the daemon. */
export interface RequestScope {
  locale: string;
  /** Aborted when the client went away, so work only it waits for can stop. */
  signal: AbortSignal;
}

/** What every resolver gets: the daemon's services and the scope of the request that asked. */
export interface GraphQLContext extends RequestScope {
  engine: CheckEngine;
  host: ExtensionHost;
  bus: EventBus<DaemonEvents>;
}

/** Picks the client's locale: our header first, then the first Accept-Language entry. */
export function localeFrom(
  header: string | null | undefined,
  acceptLanguage: string | null | undefined,
): string {
  const chosen = header?.trim() || acceptLanguage?.split(",")[0]?.split(";")[0]?.trim();
  return chosen && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(chosen) ? chosen : "en";
}
