import { DownloaderError, isDownloaderError } from "@autostun/plugins-api";
import { Deluge, type ListMethods } from "@ctrl/deluge";

/**
 * The library's Deluge Web client with two choices of ours. The library checks the session and the
 * daemon connection before every call and logs in or connects again by itself; these overrides only
 * decide which daemon it connects to and how a failure reads.
 */
export class DelugeWeb extends Deluge {
  /** A refused password, told apart from a Web UI that is not there. */
  override async login(): Promise<boolean> {
    try {
      return await super.login();
    } catch (error) {
      if (isTransportError(error)) throw error;
      throw new DownloaderError("CREDENTIALS_REFUSED", "Deluge's Web UI refused the password");
    }
  }

  /**
   * The library connects to the first daemon in the Web UI's host list; a daemon on this host comes first
   * here, because that is where AutoSTUN forwards peers.
   */
  override async connect(selectedHost?: string): Promise<ListMethods> {
    let host = selectedHost;
    if (!host) {
      const hosts = (await this.getHosts()).result ?? [];
      const local = hosts.find(([, address]) => address === "127.0.0.1" || address === "localhost");
      host = (local ?? hosts[0])?.[0];
    }
    if (!host)
      throw new DownloaderError(
        "UNREACHABLE",
        "Deluge's Web UI knows no daemon to connect to; add one in its Connection Manager",
      );
    try {
      return await super.connect(host);
    } catch (error) {
      if (isTransportError(error)) throw error;
      throw new DownloaderError(
        "UNREACHABLE",
        `Deluge's Web UI could not connect to its daemon: ${(error as Error).message}`,
      );
    }
  }
}

/**
 * The HTTP exchange failed (no answer, an HTTP error, not JSON, a refused redirect) as opposed to Deluge
 * answering with an error of its own, which the library throws as a plain Error with Deluge's message.
 */
export function isTransportError(error: unknown): boolean {
  return (
    isDownloaderError(error) ||
    error instanceof SyntaxError ||
    (error instanceof Error && error.name === "FetchError")
  );
}
