import { createRequire } from "node:module";
import {
  type DownloaderAdapter,
  type DownloaderCallOptions,
  DownloaderError,
  type DownloaderSettings,
} from "@autostun/plugins-api";
import { ACTIVE_KEYS, IPV6_SETTING_HELP, ipv6ListeningOf, peersOf, torrentsOf } from "./aria2-ipv6.js";
import { type Aria2Endpoint, type Aria2Fetch, aria2Endpoint, aria2Fetch } from "./aria2-transport.js";

/** The part of the aria2 library this adapter uses; the package is CommonJS and ships no types. */
interface Aria2Client {
  /** Sends `aria2.<method>` with `token:<secret>` put first in the parameters. */
  call(method: string, ...params: unknown[]): Promise<unknown>;
  on(event: "error", listener: (error: unknown) => void): unknown;
}
type Aria2Constructor = new (options: Aria2Endpoint & { secret: string; fetch: Aria2Fetch }) => Aria2Client;
const Aria2 = createRequire(import.meta.url)("aria2") as Aria2Constructor;

/** aria2's answer to a call it refused, as the library rejects with it. */
function isRpcError(error: unknown): error is Error & { code?: unknown } {
  return error instanceof Error && error.name === "JSONRPCError";
}

/**
 * aria2's JSON-RPC through the `aria2` library (HTTP only: the WebSocket it could open is never used, so
 * nothing goes anywhere but the configured URL). Authorised by the RPC secret, the configured password.
 * aria2 takes a new `listen-port` at run time and answers OK, but keeps its BitTorrent socket where it was:
 * only a restart moves it, which the push's restart hook does and its TCP check tells apart. aria2 has no
 * call to re-announce to trackers, so this adapter has no `reannounce`.
 */
export function aria2Adapter(settings: Readonly<DownloaderSettings>): DownloaderAdapter {
  const endpoint = aria2Endpoint(settings.url);
  const secret = settings.password ?? "";

  async function call(method: string, params: unknown[], options?: DownloaderCallOptions): Promise<unknown> {
    // One library client per call: its fetch option is the only way to give a call its abort signal.
    const client = new Aria2({ ...endpoint, secret, fetch: aria2Fetch(options?.signal) });
    // The library emits "error" for an answer it cannot parse; unheard, that event would end the daemon.
    client.on("error", () => {});
    try {
      return await client.call(method, ...params);
    } catch (error) {
      if (!isRpcError(error)) throw error;
      if (/unauthori[sz]ed/i.test(error.message))
        throw new DownloaderError("CREDENTIALS_REFUSED", "aria2 refused the RPC secret");
      throw new DownloaderError("UNSUPPORTED", `aria2 answered ${method} with: ${error.message}`);
    }
  }

  return {
    async describe(options) {
      const result = (await call("getVersion", [], options)) as { version?: unknown } | null;
      return { client: "aria2", version: String(result?.version ?? "unknown") };
    },
    async getListenPort(options) {
      const global = (await call("getGlobalOption", [], options)) as Record<string, unknown> | null;
      // A range like "6881-6999" means the first free port in it; the lowest is the best guess.
      const port = Number.parseInt(String(global?.["listen-port"] ?? ""), 10);
      if (!Number.isInteger(port)) throw new DownloaderError("UNSUPPORTED", "aria2 gave no listen-port");
      return port;
    },
    async setListenPort(port, options) {
      await call("changeGlobalOption", [{ "listen-port": String(port) }], options);
    },
    async listPeers(options) {
      const active = await call("tellActive", [[...ACTIVE_KEYS]], options);
      const peers = [];
      for (const { gid, infoHash } of torrentsOf(active))
        peers.push(...peersOf(infoHash, await call("getPeers", [gid], options)));
      return peers;
    },
    async getIpv6Listening(options) {
      return ipv6ListeningOf((await call("getGlobalOption", [], options)) as Record<string, unknown> | null);
    },
    async listenOnIpv6() {
      throw new DownloaderError("UNSUPPORTED", IPV6_SETTING_HELP);
    },
  };
}
