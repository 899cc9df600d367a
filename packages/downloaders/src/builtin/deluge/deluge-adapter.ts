import {
  type DownloaderAdapter,
  type DownloaderCallOptions,
  DownloaderError,
  type DownloaderSettings,
} from "@autostun/plugins-api";
import { clientRequest, endpoint, parseJson } from "../../http/client-request.js";

interface JsonAnswer {
  result?: unknown;
  error?: { message?: string; code?: number } | null;
}

/** Deluge Web's error code for a call made without a login. */
const NOT_AUTHENTICATED = 1;

/**
 * Deluge's Web UI JSON-RPC (`/json`): it logs in with the Web UI password only, and reaches the core
 * through a daemon it must be connected to (`web.connect`), picked from its host list.
 */
export function delugeAdapter(settings: Readonly<DownloaderSettings>): DownloaderAdapter {
  const url = endpoint(settings.url, "/json");
  let cookie: string | undefined;
  let nextId = 1;

  async function send(method: string, params: unknown[], signal?: AbortSignal): Promise<JsonAnswer> {
    const response = await clientRequest(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ method, params, id: nextId++ }),
      ...(signal ? { signal } : {}),
    });
    if (response.status !== 200)
      throw new DownloaderError(
        "UNREACHABLE",
        `${url} answered HTTP ${response.status}: is Deluge's Web UI there?`,
      );
    const setCookie = response.headers.getSetCookie();
    if (setCookie.length > 0) cookie = setCookie.map((line) => line.split(";")[0]).join("; ");
    return parseJson(response, url, "Deluge's Web UI") as JsonAnswer;
  }

  async function session(signal?: AbortSignal): Promise<void> {
    const login = await send("auth.login", [settings.password ?? ""], signal);
    if (login.result !== true)
      throw new DownloaderError("CREDENTIALS_REFUSED", "Deluge's Web UI refused the password");
    if ((await send("web.connected", [], signal)).result === true) return;
    const hosts = (await send("web.get_hosts", [], signal)).result;
    const list = Array.isArray(hosts) ? (hosts as unknown[][]) : [];
    // A daemon on this host first: that is where AutoSTUN forwards peers.
    const local = list.find((host) => host[1] === "127.0.0.1" || host[1] === "localhost") ?? list[0];
    if (!local)
      throw new DownloaderError(
        "UNREACHABLE",
        "Deluge's Web UI knows no daemon to connect to; add one in its Connection Manager",
      );
    const connected = await send("web.connect", [local[0]], signal);
    if (connected.error)
      throw new DownloaderError(
        "UNREACHABLE",
        `Deluge's Web UI could not connect to its daemon: ${connected.error.message}`,
      );
  }

  async function call(method: string, params: unknown[], options?: DownloaderCallOptions): Promise<unknown> {
    const signal = options?.signal;
    let answer = await send(method, params, signal);
    if (answer.error?.code === NOT_AUTHENTICATED || isDisconnected(answer)) {
      await session(signal);
      answer = await send(method, params, signal);
    }
    if (answer.error) {
      const kind = answer.error.code === NOT_AUTHENTICATED ? "CREDENTIALS_REFUSED" : "UNSUPPORTED";
      throw new DownloaderError(
        kind,
        `Deluge answered ${method} with: ${answer.error.message ?? "an error"}`,
      );
    }
    return answer.result;
  }

  return {
    async describe(options) {
      const version = await call("daemon.get_version", [], options);
      return { client: "Deluge", version: String(version) };
    },
    async getListenPort(options) {
      // The port the session really uses, not the configured range.
      const port = await call("core.get_listen_port", [], options);
      if (typeof port !== "number") throw new DownloaderError("UNSUPPORTED", "Deluge gave no listen port");
      return port;
    },
    async setListenPort(port, options) {
      // With random_port on, Deluge ignores listen_ports and picks its own.
      await call("core.set_config", [{ listen_ports: [port, port], random_port: false }], options);
    },
    async reannounce(options) {
      const ids = await call("core.get_session_state", [], options);
      if (Array.isArray(ids) && ids.length > 0) await call("core.force_reannounce", [ids], options);
    },
    async dispose() {
      if (cookie) await send("auth.delete_session", []).catch(() => undefined);
      cookie = undefined;
    },
  };
}

/** A core call while the Web UI has no daemon connected answers with an error naming the method. */
function isDisconnected(answer: JsonAnswer): boolean {
  return answer.error != null && /unknown method|not connected/i.test(answer.error.message ?? "");
}
