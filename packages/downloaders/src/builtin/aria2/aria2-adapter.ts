import {
  type DownloaderAdapter,
  type DownloaderCallOptions,
  DownloaderError,
  type DownloaderSettings,
} from "@autostun/plugins-api";
import { clientRequest, endpoint, parseJson } from "../../http/client-request.js";

/** The RPC endpoint: the URL as given when it names a path, else aria2's default `/jsonrpc`. */
function rpcUrl(base: string): string {
  return new URL(base).pathname.replace(/\/+$/, "") === "" ? endpoint(base, "/jsonrpc") : base;
}

/**
 * aria2's JSON-RPC, authorised by the RPC secret (`token:` + the configured password). aria2 takes a new
 * `listen-port` at run time and answers OK, but keeps its BitTorrent socket where it was: only a restart
 * moves it, which the push's restart hook does and its TCP check tells apart.
 */
export function aria2Adapter(settings: Readonly<DownloaderSettings>): DownloaderAdapter {
  const url = rpcUrl(settings.url);
  const token = settings.password ? [`token:${settings.password}`] : [];
  let nextId = 1;

  async function call(method: string, params: unknown[], options?: DownloaderCallOptions): Promise<unknown> {
    const response = await clientRequest(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: String(nextId++), method, params: [...token, ...params] }),
      ...(options?.signal ? { signal: options.signal } : {}),
    });
    const answer = parseJson(response, url, "aria2") as { result?: unknown; error?: { message?: string } };
    if (answer.error) {
      const message = answer.error.message ?? "an error";
      if (/unauthori[sz]ed/i.test(message))
        throw new DownloaderError("CREDENTIALS_REFUSED", "aria2 refused the RPC secret");
      throw new DownloaderError("UNSUPPORTED", `aria2 answered ${method} with: ${message}`);
    }
    if (response.status !== 200)
      throw new DownloaderError(
        "UNREACHABLE",
        `${url} answered HTTP ${response.status}: is aria2's RPC there?`,
      );
    return answer.result;
  }

  return {
    async describe(options) {
      const result = (await call("aria2.getVersion", [], options)) as { version?: unknown };
      return { client: "aria2", version: String(result?.version ?? "unknown") };
    },
    async getListenPort(options) {
      const options_ = (await call("aria2.getGlobalOption", [], options)) as Record<string, unknown>;
      // A range like "6881-6999" means the first free port in it; the lowest is the best guess.
      const port = Number.parseInt(String(options_?.["listen-port"] ?? ""), 10);
      if (!Number.isInteger(port)) throw new DownloaderError("UNSUPPORTED", "aria2 gave no listen-port");
      return port;
    },
    async setListenPort(port, options) {
      await call("aria2.changeGlobalOption", [{ "listen-port": String(port) }], options);
    },
  };
}
