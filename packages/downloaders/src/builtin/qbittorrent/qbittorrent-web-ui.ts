import { DownloaderError } from "@autostun/plugins-api";
import { QBittorrent } from "@ctrl/qbittorrent";
import { endpoint } from "../../http/client-request.js";
import { safeCause } from "../../http/safe-cause.js";
import { networkReason } from "./qbittorrent-errors.js";

/** How long a session counts as valid when its cookie names no end (before 5.2): the library's hour. */
const SESSION_MS = 3_600_000;

/** Only the start of an answer is needed to tell "Ok." and "Fails." from some other program's page. */
const ANSWER_CHARS = 64;

interface Session {
  cookieName: string;
  sid: string;
  expires: Date;
}

/** The first cookie of the answer and when it ends, as qBittorrent sets its session (SID, 5.2: QBT_SID_<port>). */
function sessionOf(headers: Headers): Session | undefined {
  const [cookie] = headers.getSetCookie();
  const [pair = "", ...attributes] = (cookie ?? "").split(";").map((part) => part.trim());
  const at = pair.indexOf("=");
  const cookieName = pair.slice(0, at);
  const sid = pair.slice(at + 1);
  if (at <= 0 || sid === "") return undefined;
  let expires = new Date(Date.now() + SESSION_MS);
  for (const attribute of attributes) {
    const [name = "", value = ""] = attribute.split("=", 2);
    if (/^max-age$/i.test(name) && Number.isFinite(Number(value)))
      expires = new Date(Date.now() + Number(value) * 1000);
    else if (/^expires$/i.test(name) && !Number.isNaN(Date.parse(value))) expires = new Date(value);
  }
  return { cookieName, sid, expires };
}

/**
 * The first {@link ANSWER_CHARS} bytes of an answer, as text; the rest is not read. Something else on
 * the port may answer the login with a page of any size, or one that never ends.
 */
async function answerStart(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < ANSWER_CHARS) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, ANSWER_CHARS).toString("utf8");
}

/**
 * The library's qBittorrent client with a login of our own. The library's login looks only for a cookie,
 * so a refused password and some other web server on the port (a router's page answering 200 to every
 * path) both read as "Auth Failed", and qBittorrent 5.2's 401 for a wrong password reads as an HTTP error.
 * This login makes the same single POST through the same pinned dispatcher, reads the answer qBittorrent
 * gives ("Ok."/"Fails." before 5.2; 204 with a session cookie or 401 since), and hands the session to the
 * library, which uses and renews it as it does its own. Trying the login again to read its answer would
 * count twice towards qBittorrent's ban after failed logins.
 */
export class QbittorrentWebUi extends QBittorrent {
  override async login(): Promise<boolean> {
    // With an API key there is no login: the library only checks the version, with the key.
    if (this.config.apiKey) return super.login();
    const origin = new URL(this.config.baseUrl).origin;
    const url = endpoint(this.config.baseUrl, `${this.config.path ?? "/api/v2"}/auth/login`);
    let response: Response;
    let answer: string;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          username: this.config.username ?? "",
          password: this.config.password ?? "",
        }).toString(),
        redirect: "manual",
        signal: AbortSignal.timeout(this.config.timeout ?? 10_000),
        dispatcher: this.config.dispatcher,
      } as RequestInit);
      answer = (await answerStart(response)).trim();
    } catch (error) {
      throw new DownloaderError("UNREACHABLE", `${origin} ${networkReason(error)}`, {
        cause: safeCause(error),
      });
    }
    const session = sessionOf(response.headers);
    if (response.ok && session && (answer === "Ok." || answer === "")) {
      this.state.auth = session;
      return true;
    }
    if (answer === "Fails.")
      throw new DownloaderError("CREDENTIALS_REFUSED", "qBittorrent refused the user name or password");
    // 5.2 and later refuse a password with 401; every version also answers 401 to a Host header it does
    // not accept (a port forward or proxy in front of it), which a login cannot tell apart.
    if (response.status === 401)
      throw new DownloaderError(
        "CREDENTIALS_REFUSED",
        "qBittorrent refused the user name or password (HTTP 401; behind a port forward or proxy, also check that its Web UI accepts the Host header)",
      );
    if (response.status === 403)
      throw new DownloaderError(
        "CREDENTIALS_REFUSED",
        "qBittorrent banned this address after too many failed logins; fix the password and wait for the ban to end (WebUI ban duration) or restart qBittorrent",
      );
    if (response.ok)
      throw new DownloaderError(
        "UNREACHABLE",
        `${origin} answers, but is not qBittorrent's Web UI: its login gave ${session ? "an answer qBittorrent never gives" : "no session"}; check the address and port of the Web UI`,
      );
    throw new DownloaderError(
      "UNREACHABLE",
      `${origin} answered HTTP ${response.status} to the login: is qBittorrent's Web UI there?`,
    );
  }
}
