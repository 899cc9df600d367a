import type { ExtensionContext } from "@autostun/plugins-api";
import { aria2Adapter } from "./aria2-adapter.js";

/** Built-in downloader `aria2`, registered through the same API a third-party adapter uses. */
export function activate(context: ExtensionContext): void {
  context.subscriptions.push(context.registerDownloader("aria2", (settings) => aria2Adapter(settings)));
}
