import {
  type DownloaderAdapter,
  type DownloaderCallOptions,
  DownloaderError,
  type DownloaderSettings,
} from "@autostun/plugins-api";
import { pinnedDispatcher } from "../../http/pinned-dispatcher.js";
import { qbittorrentError } from "./qbittorrent-errors.js";
import { ipv6ListeningOf, listenChoiceOf, peersFromSync, torrentsToAsk } from "./qbittorrent-ipv6.js";
import { QbittorrentWebUi } from "./qbittorrent-web-ui.js";

const TIMEOUT_MS = 10_000;

type ClientConfig = NonNullable<ConstructorParameters<typeof QbittorrentWebUi>[0]>;

/**
 * The URL without a user name or password in it: fetch refuses such URLs and the library would put them
 * in its error messages. Credentials given that way still count when the settings have none.
 */
function splitCredentials(settings: Readonly<DownloaderSettings>) {
  const url = new URL(settings.url);
  const username = settings.username ?? decodeURIComponent(url.username);
  const password = settings.password ?? decodeURIComponent(url.password);
  url.username = "";
  url.password = "";
  return { baseUrl: url.toString(), origin: url.origin, username, password };
}

/**
 * Gives up waiting when the caller aborts. The library takes no per-call signal (only its own timeout),
 * so the request itself runs on until that timeout; nothing waits for it.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * qBittorrent's WebUI API v2 through @ctrl/qbittorrent, which keeps the session cookie whatever it is
 * called (5.2 renamed it), logs in again once when the client forgets the session, and sends no Referer
 * or Origin (qBittorrent refuses one that does not match the Host exactly). It keeps the URL's sub-path.
 * What it does not do is done here: stay on the configured origin and path, honour the caller's abort,
 * read the login's answer to tell refused credentials from another program (qbittorrent-web-ui.ts), and
 * log out on the client's side (see dispose).
 */
export function qbittorrentAdapter(settings: Readonly<DownloaderSettings>): DownloaderAdapter {
  const { baseUrl, origin, username, password } = splitCredentials(settings);
  // With an API key (qBittorrent 5.2+) the library sends it as a bearer token on every call and never
  // logs in, so there is no session to keep or end; user name and password are then not sent at all.
  const apiKey = settings.apiKey || undefined;
  const client = new QbittorrentWebUi({
    baseUrl,
    ...(apiKey ? { apiKey } : { username, password }),
    timeout: TIMEOUT_MS,
    // Every API call lives under the configured URL's path; a redirect anywhere else is refused.
    dispatcher: pinnedDispatcher(baseUrl, { scope: "origin" }).dispatcher as ClientConfig["dispatcher"],
  });

  async function call<T>(path: string, options: DownloaderCallOptions | undefined, work: () => Promise<T>) {
    try {
      return await untilAborted(work(), options?.signal);
    } catch (error) {
      if (options?.signal?.aborted) throw options.signal.reason;
      throw qbittorrentError(error, origin, path, { apiKey: Boolean(apiKey) });
    }
  }

  /**
   * With an API key nothing is logged in first, so any web server answering 200 gets this far; only a
   * version number ("v5.2.0", "2.13.0") says it is qBittorrent that answered.
   */
  function versionIn(answer: unknown, path: string): string {
    const text = typeof answer === "string" ? answer.trim() : "";
    if (!/^v?\d+(\.\d+)+\S{0,40}$/.test(text))
      throw new DownloaderError(
        "UNREACHABLE",
        `${origin} answered ${path} without a version number: is qBittorrent really there?`,
      );
    return text;
  }

  async function preferences(options: DownloaderCallOptions | undefined): Promise<Record<string, unknown>> {
    const answer: unknown = await call("app/preferences", options, () => client.getPreferences());
    // The library hands back the page as text when it is not JSON: then it is some other program.
    if (typeof answer !== "object" || answer === null)
      throw new DownloaderError(
        "UNREACHABLE",
        `${origin} answered app/preferences without JSON: is qBittorrent really there?`,
      );
    return answer as Record<string, unknown>;
  }

  async function listenChoice(options: DownloaderCallOptions | undefined) {
    const choice = listenChoiceOf(await preferences(options));
    if (!choice)
      throw new DownloaderError(
        "UNSUPPORTED",
        "qBittorrent's preferences carry no current_interface_address",
      );
    return choice;
  }

  return {
    async describe(options) {
      const version = await call("app/version", options, () => client.getAppVersion());
      const apiVersion = await call("app/webapiVersion", options, () => client.getApiVersion());
      return {
        client: "qBittorrent",
        version: versionIn(version, "app/version").replace(/^v/, ""),
        apiVersion: versionIn(apiVersion, "app/webapiVersion"),
      };
    },
    async getListenPort(options) {
      const port = (await preferences(options)).listen_port;
      if (typeof port !== "number")
        throw new DownloaderError("UNSUPPORTED", "qBittorrent's preferences carry no listen_port");
      return port;
    },
    async setListenPort(port, options) {
      // random_port off too, or the client would pick another port at its next start.
      await call("app/setPreferences", options, () =>
        client.setPreferences({ listen_port: port, random_port: false }),
      );
    },
    async reannounce(options) {
      await call("torrents/reannounce", options, () => client.reannounceTorrent("all"));
    },
    async listPeers(options) {
      const rows = await call("torrents/info", options, () => client.listTorrents());
      const peers = [];
      // One torrent at a time: qBittorrent answers each from memory, and a slow client is not flooded.
      for (const hash of torrentsToAsk(rows)) {
        const answer = await call("sync/torrentPeers", options, () => client.torrentPeers(hash));
        peers.push(...peersFromSync(hash, answer));
      }
      return peers;
    },
    async getIpv6Listening(options) {
      return ipv6ListeningOf(await listenChoice(options));
    },
    async listenOnIpv6(options) {
      const before = await listenChoice(options);
      if (ipv6ListeningOf(before).listens === true) return;
      if (before.address === "")
        throw new DownloaderError(
          "UNSUPPORTED",
          `qBittorrent already listens on every address of interface ${before.networkInterface}; it takes IPv6 peers only if that interface has an IPv6 address: choose "Any interface" under Options > Advanced > Network interface`,
        );
      // An empty address is every address of the chosen interface (or of all, with none chosen), both
      // families; the interface itself stays as the user set it.
      await call("app/setPreferences", options, () =>
        client.setPreferences({ current_interface_address: "" }),
      );
      const after = await listenChoice(options);
      if (after.address !== "")
        throw new DownloaderError(
          "IGNORED_CHANGE",
          `qBittorrent kept current_interface_address = ${after.address} after it was asked to listen on all addresses`,
        );
    },
    async dispose() {
      if (!client.state.auth) return;
      // The library's logout only forgets the cookie here; the session stays open in qBittorrent until it
      // times out. Ending it there too is one POST through the library's own authenticated request.
      await client
        .request("/auth/logout", "POST", undefined, undefined, undefined, false)
        .catch(() => undefined);
      client.logout();
    },
  };
}
