import {
  type DownloaderAdapter,
  type DownloaderCallOptions,
  DownloaderError,
  type DownloaderSettings,
  isDownloaderError,
} from "@autostun/plugins-api";
import { endpoint } from "../../http/client-request.js";
import { pinnedDispatcher, refusedRequest } from "../../http/pinned-dispatcher.js";
import { safeCause } from "../../http/safe-cause.js";
import { IPV6_SETTING_HELP, ipv6ListeningOf, peersFromStatus } from "./deluge-ipv6.js";
import { DelugeWeb } from "./deluge-web.js";

/** How long one request may take before the client counts as not answering. */
const TIMEOUT_MS = 10_000;

type ClientConfig = NonNullable<ConstructorParameters<typeof DelugeWeb>[0]>;

/**
 * Deluge's Web UI JSON-RPC (`/json`) through the `@ctrl/deluge` library: it logs in with the Web UI
 * password only, checks the session before each call and logs in again when Deluge forgot it, and reaches
 * the core through a daemon it connects the Web UI to (`web.connect`) when it is not connected.
 */
export function delugeAdapter(settings: Readonly<DownloaderSettings>): DownloaderAdapter {
  // Deluge has no user name; a `user:password@` in the URL would only end up in error messages.
  const base = new URL(settings.url);
  base.username = "";
  base.password = "";
  // The Transmission and aria2 URLs name their RPC endpoint, so users write Deluge's as `…/json` too;
  // the library appends `/json` itself, so the base is the folder that holds it.
  base.pathname = base.pathname.replace(/\/json\/*$/, "/");
  const url = endpoint(base.toString(), "/json");
  // Every request, a redirect hop included, goes to this /json URL or nowhere: a redirect would resend
  // the login (password in the body) to whatever host it names.
  const pin = pinnedDispatcher(url, { scope: "url" });
  const client = new DelugeWeb({
    baseUrl: base.toString(),
    path: "/json",
    password: settings.password ?? "",
    timeout: TIMEOUT_MS,
    dispatcher: pin.dispatcher as ClientConfig["dispatcher"],
  });

  /** One library call, its failure said in our words; `method` names the Deluge call for the message. */
  async function run<T>(method: string, work: () => Promise<T>, options?: DownloaderCallOptions): Promise<T> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    const pending = work().catch((error: unknown) => {
      throw explain(error, method, url);
    });
    if (!signal) return pending;
    // The library takes no abort signal: a stopped push stops waiting here, and the request still in
    // flight ends within TIMEOUT_MS on its own.
    pending.catch(() => undefined);
    let onAbort = () => {};
    const aborted = new Promise<never>((_resolve, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([pending, aborted]);
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  return {
    async describe(options) {
      const answer = await run("daemon.get_version", () => client.getVersion(), options);
      // Only Deluge answers with a version string; anything else is not shown as one.
      const version: unknown = answer.result;
      if (typeof version !== "string" || version.trim() === "")
        throw new DownloaderError(
          "UNREACHABLE",
          `${url} answered daemon.get_version without a version: is Deluge there?`,
        );
      return { client: "Deluge", version: version.trim() };
    },
    async getListenPort(options) {
      // The library has no call for it. The port the session really uses, not the configured range.
      const answer = await run(
        "core.get_listen_port",
        () => client.request<{ result?: unknown }>("core.get_listen_port"),
        options,
      );
      const port = answer._data?.result;
      if (typeof port !== "number") throw new DownloaderError("UNSUPPORTED", "Deluge gave no listen port");
      return port;
    },
    async setListenPort(port, options) {
      // With random_port on, Deluge ignores listen_ports and picks its own.
      await run(
        "core.set_config",
        () => client.setConfig({ listen_ports: [port, port], random_port: false }),
        options,
      );
    },
    async reannounce(options) {
      // The library's updateTorrentTrackers re-announces one torrent per call (and checks the session
      // before each); Deluge's core.force_reannounce takes them all at once, so it is called directly.
      const ids = await run(
        "core.get_session_state",
        () => client.request<{ result?: unknown }>("core.get_session_state"),
        options,
      );
      const list = ids._data?.result;
      if (Array.isArray(list) && list.length > 0)
        await run("core.force_reannounce", () => client.request("core.force_reannounce", [list]), options);
    },
    async listPeers(options) {
      // One call covers every torrent; Deluge builds the peer lists from memory.
      const answer = await run(
        "core.get_torrents_status",
        () => client.request<{ result?: unknown }>("core.get_torrents_status", [{}, ["hash", "peers"]]),
        options,
      );
      return peersFromStatus(answer._data?.result);
    },
    async getIpv6Listening(options) {
      const version = await run("daemon.get_version", () => client.getVersion(), options);
      const answer = await run(
        "core.get_config_value",
        () => client.request<{ result?: unknown }>("core.get_config_value", ["listen_interface"]),
        options,
      );
      const value = answer._data?.result;
      if (typeof value !== "string")
        throw new DownloaderError("UNSUPPORTED", "Deluge's config carries no listen_interface");
      return ipv6ListeningOf(value, String(version.result ?? ""));
    },
    async listenOnIpv6() {
      throw new DownloaderError("UNSUPPORTED", IPV6_SETTING_HELP);
    },
    async dispose() {
      // Log out without the library's session check first, which would log in again to log out.
      if (client.state.auth.cookieHeader)
        await client.request("auth.delete_session", [], false).catch(() => undefined);
      client.resetSession();
      // A request still waiting (one a stopped push gave up on) ends now rather than at its timeout.
      pin.close();
    },
  };
}

/**
 * Anything the library or fetch threw, as a DownloaderError that names the URL and never a password: the
 * library's errors hold the login body and the session cookie, so only a safe copy of them is kept.
 */
function explain(error: unknown, method: string, url: string): DownloaderError {
  const ours = causes(error).find(isDownloaderError);
  if (ours) return ours;
  const refused = refusedRequest(error);
  if (refused)
    return new DownloaderError(
      "UNREACHABLE",
      `${url} sent AutoSTUN on to ${refused.attempted}; nothing was sent there: set the URL Deluge's Web UI answers at itself`,
    );
  if (error instanceof SyntaxError)
    return new DownloaderError(
      "UNREACHABLE",
      `${url} answered without JSON: is Deluge's Web UI really there?`,
      { cause: safeCause(error) },
    );
  if (error instanceof Error && error.name === "FetchError") {
    const status = (error as { status?: number }).status;
    if (status !== undefined)
      return new DownloaderError("UNREACHABLE", `${url} answered HTTP ${status}: is Deluge's Web UI there?`, {
        cause: safeCause(error),
      });
    const chain = causes(error);
    const timedOut = chain.some((cause) => (cause as Error)?.name === "TimeoutError");
    const code = chain
      .map((cause) => (cause as { code?: unknown })?.code)
      .find((value) => typeof value === "string");
    // fetch says "fetch failed"; the reason (ECONNREFUSED, "bad port") is at the end of the chain.
    const innermost = (chain.at(-1) as Error | undefined)?.message;
    const why = timedOut ? "did not answer in time" : (code ?? innermost ?? "could not be reached");
    return new DownloaderError("UNREACHABLE", `${new URL(url).origin} ${why}`, { cause: safeCause(error) });
  }
  // Deluge answered with an error of its own; the library keeps only its message.
  const message = error instanceof Error ? error.message : String(error);
  const kind = /not authenticated/i.test(message) ? "CREDENTIALS_REFUSED" : "UNSUPPORTED";
  return new DownloaderError(kind, `Deluge answered ${method} with: ${message}`, { cause: safeCause(error) });
}

/** The error and what caused it, outermost first. */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let at = error; at != null && chain.length < 8; at = (at as { cause?: unknown }).cause) chain.push(at);
  return chain;
}
