import { request as httpRequest } from "node:http";
import { endpoint } from "../http/client-request.js";

/** The clients discovery knows how to recognise by their API's own answer. */
export const DISCOVERABLE_KINDS = ["qbittorrent", "transmission", "deluge", "aria2"] as const;
export type DiscoverableKind = (typeof DISCOVERABLE_KINDS)[number];

/** A client that answered at a URL the way only that client answers. */
export interface IdentifiedDownloader {
  kind: DiscoverableKind;
  url: string;
  /** As the client reported it; undefined when it tells nobody who has not logged in. */
  version?: string;
  /** It wants a user name, password or secret before it does anything. */
  needsCredentials: boolean;
}

export interface IdentifyOptions {
  signal?: AbortSignal;
  /** Per request: a port that accepts but never answers costs at most this. */
  timeoutMs?: number;
}

/** Longest answer read as text: an identification needs a title or a small JSON, not a file. */
const MAX_TEXT = 64 * 1024;

type Identifier = (url: string, options: IdentifyOptions) => Promise<IdentifiedDownloader | undefined>;

/** One answer, cut to what identification reads. */
interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * One request on a connection of its own, closed after the answer: a kept-alive connection reused after
 * another client's error answer hangs on aria2, and discovery must not leave sockets in anyone's pool.
 * Undefined for anything that is not an HTTP answer in time (refused, reset, garbage, silence).
 */
function send(
  url: string,
  options: IdentifyOptions,
  request: { method?: "GET" | "POST"; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer | undefined> {
  if (options.signal?.aborted) return Promise.reject(options.signal.reason);
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const body = request.body === undefined ? undefined : Buffer.from(request.body);
    const req = httpRequest(target, {
      method: request.method ?? "GET",
      agent: false,
      headers: {
        connection: "close",
        ...request.headers,
        ...(body ? { "content-length": String(body.length) } : {}),
      },
    });
    const timer = setTimeout(() => finish(undefined), options.timeoutMs ?? 3000);
    const abort = () => {
      clearTimeout(timer);
      req.destroy();
      reject(options.signal?.reason);
    };
    options.signal?.addEventListener("abort", abort, { once: true });
    function finish(answer: Answer | undefined) {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", abort);
      req.destroy();
      resolve(answer);
    }
    req.once("error", () => finish(undefined));
    req.once("response", (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(response.headers))
          if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
        finish({
          status: response.statusCode ?? 0,
          headers,
          text: Buffer.concat(chunks).toString("utf8").slice(0, MAX_TEXT),
        });
      };
      response.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        // Enough to judge; the rest of a big page is not read.
        if (size >= MAX_TEXT) done();
      });
      response.once("end", done);
      response.once("error", () => finish(undefined));
    });
    req.end(body);
  });
}

function json(response: Answer | undefined): Record<string, unknown> | undefined {
  if (!response) return undefined;
  try {
    const value: unknown = JSON.parse(response.text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function title(html: string): string {
  return /<title>([^<]{0,200})<\/title>/i.exec(html)?.[1]?.trim() ?? "";
}

/**
 * qBittorrent: `app/version` answers `v4.5.2` as plain text when no login is needed (LocalHostAuth off),
 * and 403 otherwise; then its login page's title names it. No login is tried: qBittorrent bans an address
 * after a few failed ones.
 */
const qbittorrent: Identifier = async (url, options) => {
  const version = await send(endpoint(url, "/api/v2/app/version"), options);
  if (version?.status === 200) {
    const text = version.text.trim();
    if (
      /^v?\d+\.\d+[\w.+-]*$/.test(text) &&
      (version.headers.get("content-type") ?? "").startsWith("text/plain")
    )
      return { kind: "qbittorrent", url, version: text.replace(/^v/, ""), needsCredentials: false };
    return undefined;
  }
  if (version?.status !== 403) return undefined;
  const page = await send(endpoint(url, "/"), options);
  return page?.status === 200 && /qBittorrent/i.test(title(page.text))
    ? { kind: "qbittorrent", url, needsCredentials: true }
    : undefined;
};

const TRANSMISSION_SESSION = "x-transmission-session-id";

/**
 * Transmission: its RPC first answers 409 with a session id (its CSRF guard), or 401 naming the realm
 * "Transmission" when it wants a password; with the id, `session-get` tells the version.
 */
const transmission: Identifier = async (url, options) => {
  const rpc = endpoint(url, "/transmission/rpc");
  const body = JSON.stringify({ method: "session-get", arguments: { fields: ["version"] } });
  const first = await send(rpc, options, { method: "POST", body });
  if (!first) return undefined;
  const realm = first.headers.get("www-authenticate") ?? "";
  const server = first.headers.get("server") ?? "";
  if (first.status === 401 && /transmission/i.test(realm))
    return { kind: "transmission", url, needsCredentials: true };
  // Its address whitelist answers 403 before anything else; only the Server header names it then.
  if (first.status === 403 && /^transmission/i.test(server))
    return { kind: "transmission", url, needsCredentials: true };
  const session = first.headers.get(TRANSMISSION_SESSION);
  if (first.status !== 409 || !session) return undefined;
  const second = await send(rpc, options, {
    method: "POST",
    body,
    headers: { [TRANSMISSION_SESSION]: session },
  });
  if (second?.status === 401) return { kind: "transmission", url, needsCredentials: true };
  const answer = json(second);
  const version = (answer?.arguments as { version?: unknown } | undefined)?.version;
  if (answer?.result !== "success" || typeof version !== "string") return undefined;
  return { kind: "transmission", url, version: version.split(" ")[0] ?? version, needsCredentials: false };
};

/**
 * Deluge's Web UI: its JSON-RPC at `/json` answers `auth.check_session` with a boolean result and the
 * request's id; the page title carries the version ("Deluge WebUI 2.0.3").
 */
const deluge: Identifier = async (url, options) => {
  const id = 41_337;
  const [check, page] = await Promise.all([
    send(endpoint(url, "/json"), options, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ method: "auth.check_session", params: [], id }),
    }),
    send(endpoint(url, "/"), options),
  ]);
  const answer = json(check);
  if (
    check?.status !== 200 ||
    answer?.id !== id ||
    typeof answer.result !== "boolean" ||
    answer.error !== null
  )
    return undefined;
  const version = /Deluge\s*Web\s*UI\s+(\d[\w.+-]*)/i.exec(title(page?.text ?? ""))?.[1];
  return { kind: "deluge", url, ...(version ? { version } : {}), needsCredentials: answer.result !== true };
};

/** aria2: `aria2.getVersion` over JSON-RPC 2.0; with an RPC secret set it answers "Unauthorized". */
const aria2: Identifier = async (url, options) => {
  const id = "autostun-discovery";
  // aria2 holds back its answer to a wrong or missing secret for about two seconds.
  const patient = { ...options, timeoutMs: Math.max(options.timeoutMs ?? 0, 5000) };
  const response = await send(endpoint(url, "/jsonrpc"), patient, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id, method: "aria2.getVersion", params: [] }),
  });
  const answer = json(response);
  if (answer?.jsonrpc !== "2.0" || answer.id !== id) return undefined;
  const version = (answer.result as { version?: unknown } | undefined)?.version;
  if (typeof version === "string") return { kind: "aria2", url, version, needsCredentials: false };
  const message = (answer.error as { message?: unknown } | undefined)?.message;
  return message === "Unauthorized" ? { kind: "aria2", url, needsCredentials: true } : undefined;
};

const IDENTIFIERS: Record<DiscoverableKind, Identifier> = { qbittorrent, transmission, deluge, aria2 };

/**
 * Which downloader answers at `url` (a Web UI / RPC base such as `http://127.0.0.1:8080`), judged by
 * what its API says rather than by the port; undefined for anything else, including garbage. Sends no
 * credentials and tries no login.
 */
export async function identifyDownloader(
  url: string,
  options: IdentifyOptions = {},
): Promise<IdentifiedDownloader | undefined> {
  const answers = await Promise.all(DISCOVERABLE_KINDS.map((kind) => IDENTIFIERS[kind](url, options)));
  return answers.find((answer) => answer !== undefined);
}

/** Asks only whether `url` is a `kind` client: how a configured downloader's version is learnt. */
export function identifyAs(
  kind: DiscoverableKind,
  url: string,
  options: IdentifyOptions = {},
): Promise<IdentifiedDownloader | undefined> {
  return IDENTIFIERS[kind](url, options);
}
