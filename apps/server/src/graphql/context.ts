import type { CheckEngine } from "../engine/engine.js";
import type { DaemonEvents } from "../engine/model.js";
import type { EventBus } from "../events/bus.js";
import type { ExtensionHost } from "../extensions/host.js";

/** What every resolver gets: the daemon's services and the locale the client asked for. */
export interface GraphQLContext {
  locale: string;
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
