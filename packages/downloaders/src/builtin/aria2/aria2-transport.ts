import { DownloaderError } from "@autostun/plugins-api";
import { clientRequest, parseJson } from "../../http/client-request.js";

/** What the aria2 library hands its `fetch` option: it always POSTs one JSON-RPC message. */
export interface Aria2FetchInit {
  method?: string;
  body?: string;
  headers?: Record<string, string>;
}

/** The only part of a response the library reads. */
export interface Aria2FetchResponse {
  status: number;
  json(): Promise<unknown>;
}

export type Aria2Fetch = (url: string, init: Aria2FetchInit) => Promise<Aria2FetchResponse>;

/** Where the library should talk to, from the URL the user configured. */
export interface Aria2Endpoint {
  secure: boolean;
  host: string;
  port: number;
  path: string;
}

/**
 * The library joins `host:port` + `path` itself, so the URL is taken apart here: a URL without a path
 * means aria2's default `/jsonrpc`; one with a path (a reverse proxy's) is kept as given.
 */
export function aria2Endpoint(base: string): Aria2Endpoint {
  const url = new URL(base);
  const secure = url.protocol === "https:";
  const path = url.pathname.replace(/\/+$/, "");
  return {
    secure,
    // IPv6 hosts keep their brackets here, which is what the library needs to build a URL.
    host: url.hostname,
    port: url.port === "" ? (secure ? 443 : 80) : Number(url.port),
    path: path === "" ? "/jsonrpc" : path,
  };
}

function requestId(body: string | undefined): unknown {
  try {
    return (JSON.parse(body ?? "") as { id?: unknown }).id;
  } catch {
    return undefined;
  }
}

/**
 * The `fetch` given to the library, built by hand because the library's own HTTP path lacks what a daemon
 * needs: it has no timeout or abort signal, follows redirects, and parses the answer after it returned,
 * so an answer that is not JSON-RPC for this request (another program on the port, a proxy's error page)
 * would leave the call pending forever and raise an unhandled "error" event. Here the answer is read and
 * checked first; only a JSON-RPC answer to this very request reaches the library, which then resolves
 * the call or rejects it with aria2's own error.
 */
export function aria2Fetch(signal: AbortSignal | undefined): Aria2Fetch {
  return async (url, init) => {
    const response = await clientRequest(url, {
      method: "POST",
      ...(init.headers ? { headers: init.headers } : {}),
      ...(init.body !== undefined ? { body: init.body } : {}),
      ...(signal ? { signal } : {}),
    });
    const answer = parseJson(response, url, "aria2") as { id?: unknown; result?: unknown; error?: unknown };
    const isAnswer =
      typeof answer === "object" &&
      answer !== null &&
      answer.id === requestId(init.body) &&
      ("result" in answer || "error" in answer);
    if (!isAnswer || (response.status !== 200 && !answer.error))
      throw new DownloaderError(
        "UNREACHABLE",
        `${url} answered HTTP ${response.status}, not as aria2's JSON-RPC: is aria2's RPC there?`,
      );
    return {
      status: response.status,
      // The library registers its wait for the answer only after this fetch returned; handing the answer
      // over on the next turn of the event loop makes sure that wait is in place before it arrives.
      json: () => new Promise((resolve) => setImmediate(resolve, answer)),
    };
  };
}
