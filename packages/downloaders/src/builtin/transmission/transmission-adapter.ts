import {
  type DownloaderAdapter,
  type DownloaderCallOptions,
  DownloaderError,
  type DownloaderSettings,
} from "@autostun/plugins-api";
import { Transmission } from "@ctrl/transmission";
import { endpoint } from "../../http/client-request.js";
import { type PinnedDispatch, pinnedDispatcher } from "../../http/pinned-dispatcher.js";
import { safeCause } from "../../http/safe-cause.js";
import { IPV6_SETTING_HELP, ipv6ListeningOf, PEER_FIELDS, peersFromTorrentGet } from "./transmission-ipv6.js";

const TIMEOUT_MS = 10_000;
// The most one call takes: the library asks for a session id first (409, then again with the id), and a
// session that expires mid-call costs one more 409 and retry. More means the id never settles.
const MAX_REQUESTS_PER_CALL = 4;

type ClientConfig = Parameters<typeof Transmission.createFromState>[0];

/** The RPC endpoint: the URL as given when it names a path, else Transmission's default one. */
function rpcUrl(base: string): URL {
  const url = new URL(base);
  const full = url.pathname.replace(/\/+$/, "") === "" ? new URL(endpoint(base, "/transmission/rpc")) : url;
  // Credentials go in the Authorization header; fetch refuses a URL that carries them.
  full.username = "";
  full.password = "";
  full.hash = "";
  return full;
}

interface RpcAnswer {
  result?: unknown;
  arguments?: Record<string, unknown>;
}

/**
 * Transmission's RPC through @ctrl/transmission (the names 3.00 and 4.0 share; 4.1 still takes them).
 * The library does the 409 session-id handshake and Basic auth; this adds what it leaves to its caller:
 * checking `result`, telling a refused password from a client that is not there, a caller's abort, and
 * keeping its requests on the configured URL (see pinned-dispatcher.ts).
 */
export function transmissionAdapter(settings: Readonly<DownloaderSettings>): DownloaderAdapter {
  const url = rpcUrl(settings.url);
  const shown = `${url.origin}${url.pathname}`;
  // Kept between calls so each call after the first skips the 409; the library renews it when it expires.
  let sessionId: string | undefined;
  /** Set between the two DHT switches of a port change, so a push that failed there finishes next time. */
  let unfinished: { dht: boolean } | undefined;

  async function rpc(
    method: string,
    send: (client: Transmission) => Promise<unknown>,
    options?: DownloaderCallOptions,
  ): Promise<Record<string, unknown>> {
    options?.signal?.throwIfAborted();
    // One client per call, made from the shared session id, so each call has its own pin and count.
    const pin = pinnedDispatcher(url.toString(), { scope: "url", maxRequests: MAX_REQUESTS_PER_CALL });
    const config: ClientConfig = {
      baseUrl: url.origin,
      path: `${url.pathname}${url.search}`,
      username: settings.username ?? "",
      password: settings.password ?? "",
      timeout: TIMEOUT_MS,
      dispatcher: pin.dispatcher as ClientConfig["dispatcher"],
    };
    const client = Transmission.createFromState(config, sessionId ? { auth: { sessionId } } : {});
    let answer: unknown;
    try {
      answer = await untilAborted(send(client), options?.signal);
    } catch (error) {
      if (options?.signal?.aborted) throw options.signal.reason;
      throw explain(error, pin, shown);
    } finally {
      sessionId = client.exportState().auth?.sessionId ?? undefined;
    }
    if (typeof answer !== "object" || answer === null)
      throw new DownloaderError(
        "UNREACHABLE",
        `${shown} answered without JSON: is Transmission really there?`,
      );
    const { result, arguments: args } = answer as RpcAnswer;
    if (result !== "success")
      throw new DownloaderError("UNSUPPORTED", `Transmission answered ${method} with "${String(result)}"`);
    return args ?? {};
  }

  return {
    async describe(options) {
      const session = await rpc("session-get", (client) => client.getSession(), options);
      // Every Transmission says its version; "success" without one is some other program, not "unknown".
      if (typeof session.version !== "string" || session.version.trim() === "")
        throw new DownloaderError(
          "UNREACHABLE",
          `${shown} answered session-get without a version: is Transmission there?`,
        );
      // "3.00 (bb6b5a062e)": the build hash is of no use to a reader.
      const version = session.version.trim().split(" ")[0] ?? session.version;
      return { client: "Transmission", version, apiVersion: String(session["rpc-version"] ?? "") };
    },
    async getListenPort(options) {
      const session = await rpc("session-get", (client) => client.getSession(), options);
      if (typeof session["peer-port"] !== "number")
        throw new DownloaderError("UNSUPPORTED", "Transmission's session carries no peer-port");
      return session["peer-port"];
    },
    async setListenPort(port, options) {
      const session = await rpc("session-get", (client) => client.getSession(), options);
      await rpc(
        "session-set",
        (client) => client.setSession({ "peer-port": port, "peer-port-random-on-start": false }),
        options,
      );
      // While a rebind is unfinished the session may show the switched value; the user's is the one kept.
      const dht = unfinished?.dht ?? session["dht-enabled"];
      // Every Transmission names dht-enabled; without it there is no safe switch, and TCP is in place.
      if (typeof dht !== "boolean" || (session["peer-port"] === port && !unfinished)) return;
      // Transmission 3.00 moves only its TCP listener with peer-port; its UDP socket (uTP and DHT) stays
      // where it started until DHT is switched, which closes and reopens it on the current peer port.
      // Each switch must be a call of its own: Transmission ignores a set to the value it already has.
      unfinished = { dht };
      for (const value of [!dht, dht])
        await rpc("session-set", (client) => client.setSession({ "dht-enabled": value }), options);
      unfinished = undefined;
    },
    async reannounce(options) {
      // The library's reannounceTorrent wants ids; without ids the RPC covers every torrent, so this
      // goes through its generic request, which still does the handshake and auth.
      await rpc(
        "torrent-reannounce",
        async (client) => (await client.request<RpcAnswer>("torrent-reannounce", {}))._data,
        options,
      );
    },
    async listPeers(options) {
      // Without ids torrent-get covers every torrent in one answer; peers come with each.
      const args = await rpc(
        "torrent-get",
        async (client) =>
          (await client.request<RpcAnswer>("torrent-get", { fields: [...PEER_FIELDS] }))._data,
        options,
      );
      return peersFromTorrentGet(args);
    },
    async getIpv6Listening(options) {
      return ipv6ListeningOf(await rpc("session-get", (client) => client.getSession(), options));
    },
    async listenOnIpv6() {
      throw new DownloaderError("UNSUPPORTED", IPV6_SETTING_HELP);
    },
  };
}

/** The library takes no abort signal; a caller's abort stops the wait, the library's timeout the request. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * The library's failures as errors a user can act on. Its HTTP errors carry the request's headers,
 * Authorization among them, so none is kept as a cause; only the network's own error is.
 */
function explain(error: unknown, pin: PinnedDispatch, shown: string): DownloaderError {
  if (error instanceof DownloaderError) return error;
  const refused = pin.refusedTarget();
  if (refused)
    return new DownloaderError(
      "UNREACHABLE",
      `${shown} sent AutoSTUN on to ${refused}; redirects are not followed: set the URL Transmission answers at itself`,
    );
  if (pin.overLimit())
    return new DownloaderError(
      "UNREACHABLE",
      `${shown} kept answering 409 without a session id that holds: is Transmission there?`,
    );
  const status = (error as { response?: { status?: unknown } })?.response?.status;
  if (status === 401)
    return new DownloaderError("CREDENTIALS_REFUSED", "Transmission refused the user name or password");
  if (status === 403)
    return new DownloaderError(
      "CREDENTIALS_REFUSED",
      "Transmission refused this address (rpc-whitelist); add it to the whitelist or turn the whitelist off",
    );
  if (typeof status === "number")
    return new DownloaderError("UNREACHABLE", `${shown} answered HTTP ${status}: is Transmission there?`);
  // Anything else kept an answer from arriving; the library's own error for it says nothing useful.
  const network = pin.networkError();
  const code = (network as { code?: unknown } | undefined)?.code;
  const why =
    network?.name === "TimeoutError" || network?.name === "AbortError"
      ? "did not answer in time"
      : typeof code === "string"
        ? code
        : "could not be reached";
  return new DownloaderError(
    "UNREACHABLE",
    `${new URL(shown).origin} ${why}`,
    network ? { cause: safeCause(network) } : undefined,
  );
}
