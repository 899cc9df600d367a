import type { ExtensionContext } from "@autostun/plugins-api";
import { qbittorrentAdapter } from "./qbittorrent-adapter.js";

/** Built-in downloader `qbittorrent`, registered through the same API a third-party adapter uses. */
export function activate(context: ExtensionContext): void {
  context.subscriptions.push(
    context.registerDownloader("qbittorrent", (settings) => qbittorrentAdapter(settings)),
  );
}
