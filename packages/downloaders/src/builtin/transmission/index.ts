import type { ExtensionContext } from "@autostun/plugins-api";
import { transmissionAdapter } from "./transmission-adapter.js";

/** Built-in downloader `transmission`, registered through the same API a third-party adapter uses. */
export function activate(context: ExtensionContext): void {
  context.subscriptions.push(
    context.registerDownloader("transmission", (settings) => transmissionAdapter(settings)),
  );
}
