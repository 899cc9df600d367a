import type { StatusData } from "./status-report.js";
import { STATUS_QUERY } from "./status-report.js";

/** Why `autostun status` got no usable answer, sorted by what the user does about it. */
export type StatusFailure =
  /** Nothing listens at the address: the daemon is not running there. */
  | { kind: "refused" }
  /** Connected (or tried to) and heard nothing in time. */
  | { kind: "timeout"; seconds: number }
  /** 401/403 without a token configured here. */
  | { kind: "token-needed"; status: number; detail: string }
  /** 401/403 with a token: not the one the daemon runs with. */
  | { kind: "token-refused"; status: number; detail: string }
  /** The token file could not be read (another user's file, or none where dataDir points). */
  | { kind: "token-file"; file: string; code: string }
  /** 429: the daemon holds as many wrong-token requests as it will; this one was not held. */
  | { kind: "throttled"; retryAfter: string }
  /** Any other HTTP answer that holds no status data. */
  | { kind: "http"; status: number; detail: string }
  /** A network error other than a refusal (host unreachable, name not found, reset…). */
  | { kind: "network"; detail: string };

export interface StatusRequest {
  url: string;
  token: string | undefined;
  locale: string;
  timeoutMs: number;
}

export type StatusAnswer = { ok: true; data: StatusData } | { ok: false; failure: StatusFailure };

/** The most telling text of a fetch failure: Node hides the errno in `cause`. */
function networkError(error: unknown): { code: string | undefined; text: string } {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = typeof cause?.code === "string" ? cause.code : undefined;
  const message = typeof cause?.message === "string" ? cause.message : (error as Error).message;
  return { code, text: code && !message.includes(code) ? `${code}: ${message}` : message };
}

/** A short reason from a refused answer's body: the daemon's GraphQL error, or its plain text. */
function detailOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { errors?: { message?: string }[] };
    const messages = parsed.errors?.map((e) => e.message).filter(Boolean);
    if (messages?.length) return messages.join("; ");
  } catch {
    // Not JSON: the plain-text refusals of the HTTP layer.
  }
  return body.trim().split("\n")[0]?.slice(0, 300) ?? "";
}

/** Asks the daemon's GraphQL API for tunnels and checks; every way that can fail is a StatusFailure. */
export async function askDaemon(request: StatusRequest): Promise<StatusAnswer> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  let response: Response;
  let body: string;
  try {
    response = await fetch(request.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-autostun-locale": request.locale,
        ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
      },
      body: JSON.stringify({ query: STATUS_QUERY }),
      signal: timeout,
    });
    body = await response.text();
  } catch (error) {
    if (timeout.aborted)
      return { ok: false, failure: { kind: "timeout", seconds: request.timeoutMs / 1000 } };
    const { code, text } = networkError(error);
    if (code === "ECONNREFUSED") return { ok: false, failure: { kind: "refused" } };
    return { ok: false, failure: { kind: "network", detail: text } };
  }
  const { status } = response;
  if (status === 401 || status === 403) {
    const detail = detailOf(body);
    return {
      ok: false,
      failure: request.token
        ? { kind: "token-refused", status, detail }
        : { kind: "token-needed", status, detail },
    };
  }
  if (status === 429)
    return {
      ok: false,
      failure: { kind: "throttled", retryAfter: response.headers.get("retry-after") ?? "?" },
    };
  let parsed: { data?: StatusData | null; errors?: { message: string }[] } | undefined;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (parsed?.data) return { ok: true, data: parsed.data };
  const detail = parsed?.errors?.map((e) => e.message).join("; ") || detailOf(body) || "(empty answer)";
  return { ok: false, failure: { kind: "http", status, detail } };
}
