import {
  type DownloaderAdapter,
  type DownloaderCallOptions,
  DownloaderError,
  type DownloaderSettings,
} from "@autostun/plugins-api";
import { clientRequest, endpoint, parseJson } from "../../http/client-request.js";

const SESSION_HEADER = "x-transmission-session-id";

/** The RPC endpoint: the URL as given when it names a path, else Transmission's default one. */
function rpcUrl(base: string): string {
  return new URL(base).pathname.replace(/\/+$/, "") === "" ? endpoint(base, "/transmission/rpc") : base;
}

/**
 * Transmission's RPC (the names 3.00 and 4.0 share; 4.1 still takes them). The first request of a
 * session is answered 409 with a session id, which every request then carries (the CSRF guard).
 */
export function transmissionAdapter(settings: Readonly<DownloaderSettings>): DownloaderAdapter {
  const url = rpcUrl(settings.url);
  let sessionId: string | undefined;
  const auth =
    settings.username || settings.password
      ? `Basic ${Buffer.from(`${settings.username ?? ""}:${settings.password ?? ""}`).toString("base64")}`
      : undefined;

  async function rpc(method: string, args: object, options?: DownloaderCallOptions) {
    const body = JSON.stringify({ method, arguments: args });
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await clientRequest(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(auth ? { authorization: auth } : {}),
          ...(sessionId ? { [SESSION_HEADER]: sessionId } : {}),
        },
        body,
        ...(options?.signal ? { signal: options.signal } : {}),
      });
      if (response.status === 409) {
        sessionId = response.headers.get(SESSION_HEADER) ?? undefined;
        if (!sessionId) break;
        continue;
      }
      if (response.status === 401)
        throw new DownloaderError("CREDENTIALS_REFUSED", "Transmission refused the user name or password");
      if (response.status === 403)
        throw new DownloaderError(
          "CREDENTIALS_REFUSED",
          "Transmission refused this address (rpc-whitelist); add it to the whitelist or turn the whitelist off",
        );
      if (response.status !== 200)
        throw new DownloaderError(
          "UNREACHABLE",
          `${url} answered HTTP ${response.status}: is Transmission there?`,
        );
      const answer = parseJson(response, url, "Transmission") as { result?: unknown; arguments?: unknown };
      if (answer.result !== "success")
        throw new DownloaderError(
          "UNSUPPORTED",
          `Transmission answered ${method} with "${String(answer.result)}"`,
        );
      return (answer.arguments ?? {}) as Record<string, unknown>;
    }
    throw new DownloaderError(
      "UNREACHABLE",
      `${url} kept answering 409 without a session id: is Transmission there?`,
    );
  }

  return {
    async describe(options) {
      const session = await rpc("session-get", { fields: ["version", "rpc-version"] }, options);
      // "3.00 (bb6b5a062e)": the build hash is of no use to a reader.
      const version = String(session.version ?? "unknown").split(" ")[0] ?? "unknown";
      return { client: "Transmission", version, apiVersion: String(session["rpc-version"] ?? "") };
    },
    async getListenPort(options) {
      const session = await rpc("session-get", { fields: ["peer-port"] }, options);
      if (typeof session["peer-port"] !== "number")
        throw new DownloaderError("UNSUPPORTED", "Transmission's session carries no peer-port");
      return session["peer-port"];
    },
    async setListenPort(port, options) {
      await rpc("session-set", { "peer-port": port, "peer-port-random-on-start": false }, options);
    },
    async reannounce(options) {
      // Without ids the call covers every torrent.
      await rpc("torrent-reannounce", {}, options);
    },
  };
}
