import {
  type DownloaderAdapter,
  type DownloaderCallOptions,
  DownloaderError,
  type DownloaderSettings,
} from "@autostun/plugins-api";
import { type ClientResponse, clientRequest, endpoint, parseJson } from "../../http/client-request.js";

const FORM = { "content-type": "application/x-www-form-urlencoded" };

/**
 * qBittorrent's WebUI API v2. One login per adapter, kept as the cookie the client set (its name changed
 * in 5.2, so it is taken whatever it is called) and renewed once when the client forgets it.
 * No Referer or Origin is sent: qBittorrent refuses one that does not match the Host exactly.
 */
export function qbittorrentAdapter(settings: Readonly<DownloaderSettings>): DownloaderAdapter {
  let cookie: string | undefined;

  async function login(signal?: AbortSignal): Promise<void> {
    const body = new URLSearchParams({
      username: settings.username ?? "",
      password: settings.password ?? "",
    });
    const url = endpoint(settings.url, "/api/v2/auth/login");
    const response = await clientRequest(url, {
      method: "POST",
      headers: FORM,
      body: body.toString(),
      signal,
    });
    if (response.status === 403)
      throw new DownloaderError(
        "CREDENTIALS_REFUSED",
        "qBittorrent banned this address after too many failed logins; fix the password and wait for the ban to end (WebUI ban duration) or restart qBittorrent",
      );
    if (response.status !== 200)
      throw new DownloaderError(
        "UNREACHABLE",
        `${url} answered HTTP ${response.status}: is qBittorrent's Web UI there?`,
      );
    if (response.text.trim() !== "Ok.")
      throw new DownloaderError("CREDENTIALS_REFUSED", "qBittorrent refused the user name or password");
    // Without LocalHostAuth the client lets us in without a cookie; any later 403 then really is a refusal.
    cookie =
      response.headers
        .getSetCookie()
        .map((line) => line.split(";")[0])
        .join("; ") || undefined;
  }

  async function call(path: string, options: DownloaderCallOptions | undefined, form?: URLSearchParams) {
    const send = (): Promise<ClientResponse> =>
      clientRequest(endpoint(settings.url, `/api/v2/${path}`), {
        method: form ? "POST" : "GET",
        headers: { ...(form ? FORM : {}), ...(cookie ? { cookie } : {}) },
        ...(form ? { body: form.toString() } : {}),
        ...(options?.signal ? { signal: options.signal } : {}),
      });
    let response = await send();
    if (response.status === 403) {
      await login(options?.signal);
      response = await send();
    }
    if (response.status === 403)
      throw new DownloaderError("CREDENTIALS_REFUSED", "qBittorrent refused the session after logging in");
    if (response.status === 404)
      throw new DownloaderError("UNSUPPORTED", `this qBittorrent has no API call ${path}`);
    if (response.status !== 200)
      throw new DownloaderError("UNREACHABLE", `qBittorrent answered HTTP ${response.status} to ${path}`);
    return response;
  }

  return {
    async describe(options) {
      const version = (await call("app/version", options)).text.trim();
      const apiVersion = (await call("app/webapiVersion", options)).text.trim();
      return { client: "qBittorrent", version: version.replace(/^v/, ""), apiVersion };
    },
    async getListenPort(options) {
      const url = endpoint(settings.url, "/api/v2/app/preferences");
      const preferences = parseJson(await call("app/preferences", options), url, "qBittorrent") as {
        listen_port?: unknown;
      };
      if (typeof preferences.listen_port !== "number")
        throw new DownloaderError("UNSUPPORTED", "qBittorrent's preferences carry no listen_port");
      return preferences.listen_port;
    },
    async setListenPort(port, options) {
      // random_port off too, or the client would pick another port at its next start.
      const json = JSON.stringify({ listen_port: port, random_port: false });
      await call("app/setPreferences", options, new URLSearchParams({ json }));
    },
    async reannounce(options) {
      await call("torrents/reannounce", options, new URLSearchParams({ hashes: "all" }));
    },
    async dispose() {
      if (!cookie) return;
      await call("auth/logout", undefined, new URLSearchParams()).catch(() => undefined);
      cookie = undefined;
    },
  };
}
