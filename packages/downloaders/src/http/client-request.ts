import { DownloaderError } from "@autostun/plugins-api";
import { safeCause } from "./safe-cause.js";

/** One HTTP exchange with a client's API, after the network part went well. */
export interface ClientResponse {
  status: number;
  headers: Headers;
  text: string;
}

export interface ClientRequest {
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Gives up on a client that accepted the connection but never answers. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

function causeCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } })?.cause;
  return typeof cause?.code === "string" ? cause.code : undefined;
}

/**
 * Sends one request; anything that keeps an answer from arriving (refused, reset, no route, timed out)
 * becomes UNREACHABLE naming the URL, because to the user they all mean "the client is not there".
 * Redirects are not followed: a Web UI that redirects is behind a proxy the user should name instead.
 */
export async function clientRequest(url: string, request: ClientRequest = {}): Promise<ClientResponse> {
  const timeout = AbortSignal.timeout(request.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, {
      method: request.method ?? "GET",
      ...(request.headers ? { headers: request.headers } : {}),
      ...(request.body !== undefined ? { body: request.body } : {}),
      redirect: "manual",
      signal,
    });
  } catch (error) {
    if (request.signal?.aborted) throw request.signal.reason;
    const why = timeout.aborted ? "did not answer in time" : (causeCode(error) ?? (error as Error).message);
    throw new DownloaderError("UNREACHABLE", `${new URL(url).origin} ${why}`, { cause: safeCause(error) });
  }
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Parses a JSON answer; a page that is not JSON means the URL is some other program. */
export function parseJson(response: ClientResponse, url: string, expected: string): unknown {
  try {
    return JSON.parse(response.text);
  } catch {
    throw new DownloaderError(
      "UNREACHABLE",
      `${url} answered HTTP ${response.status} without JSON: is ${expected} really there?`,
    );
  }
}

/** `http://host:port/sub` + `path`, keeping a sub-path the user gave (a client behind a reverse proxy). */
export function endpoint(base: string, path: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}${path}`;
  return url.toString();
}
