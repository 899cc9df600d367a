import type { Downloaders, NetworkInfo } from "@autostun/plugins-api";
import { type DiscoveredDownloader, discoverDownloaders } from "./discover.js";

/**
 * Discovery as the daemon runs it: this host's addresses and the configured downloaders, read fresh for
 * every scan. Callers asking while a scan runs share it, so a console polling from several tabs does not
 * multiply the probes (Transmission counts each unauthenticated request as a failed login).
 */
export class DownloaderDiscovery {
  private running: Promise<DiscoveredDownloader[]> | undefined;

  constructor(
    private readonly options: { network: NetworkInfo; downloaders: Downloaders; timeoutMs?: number },
  ) {}

  discover(): Promise<DiscoveredDownloader[]> {
    this.running ??= this.scan().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async scan(): Promise<DiscoveredDownloader[]> {
    const [addresses, configured] = await Promise.all([
      this.options.network.addresses(),
      this.options.downloaders.list(),
    ]);
    return discoverDownloaders({
      addresses,
      configured,
      ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}),
    });
  }
}
