import { type ClientResponse, clientRequest, endpoint } from "../http/client-request.js";

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

async function send(
  url: string,
  options: IdentifyOptions,
  request: { method?: "GET" | "POST"; headers?: Record<string, string>; body?: string } = {},
): Promise<ClientResponse | undefined> {
  try {
    const response = await clientRequest(url, {
      ...request,
      ...(options.signal ? { signal: options.signal } : {}),
      timeoutMs: options.timeoutMs ?? 2000,
    });
    return { ...response, text: response.text.slice(0, MAX_TEXT) };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return undefined;
  }
}

function json(response: ClientResponse | undefined): Record<string, unknown> | undefined {
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
  const response = await send(endpoint(url, "/jsonrpc"), options, {
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
