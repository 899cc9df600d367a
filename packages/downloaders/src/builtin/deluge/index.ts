import type { ExtensionContext } from "@autostun/plugins-api";
import { delugeAdapter } from "./deluge-adapter.js";

/** Built-in downloader `deluge`, registered through the same API a third-party adapter uses. */
export function activate(context: ExtensionContext): void {
  context.subscriptions.push(context.registerDownloader("deluge", (settings) => delugeAdapter(settings)));
}
