import { Client, fetchExchange, mapExchange, subscriptionExchange } from "@urql/core";
import { createClient as createWsClient } from "graphql-ws";
import type { LinkEvent } from "../connection/connectionState.js";
import type { Locale } from "../i18n/locale.js";
import { isUnauthorizedClose, isUnauthorizedError } from "./auth.js";
import { isFatalClose } from "./closeCodes.js";

/** The daemon's GraphQL endpoint over HTTP and over WebSocket. */
export interface Endpoints {
  http: string;
  ws: string;
}

/**
 * The GraphQL endpoints beside the page: the daemon serves the console and `/graphql` on one origin,
 * and resolving against the page keeps that true behind a proxy that mounts both under a prefix.
 */
export function endpointsFor(pageUrl: string): Endpoints {
  const http = new URL("graphql", pageUrl);
  http.search = "";
  http.hash = "";
  const ws = new URL(http.href);
  ws.protocol = http.protocol === "https:" ? "wss:" : "ws:";
  return { http: http.href, ws: ws.href };
}

/** HTTP headers that pick the language of the daemon's text and, when set, authenticate. */
export function requestHeaders(locale: Locale, token: string | null): Record<string, string> {
  const headers: Record<string, string> = { "x-autostun-locale": locale };
  if (token) headers["authorization"] = `Bearer ${token}`;
  return headers;
}

/** The same two facts for the WebSocket, which cannot carry custom headers from a browser. */
export function connectionParams(locale: Locale, token: string | null): Record<string, string> {
  const params: Record<string, string> = { locale };
  if (token) params["authorization"] = `Bearer ${token}`;
  return params;
}

/** What the console needs to talk to one daemon in one locale with one token. */
export interface ConsoleClientOptions {
  endpoints: Endpoints;
  locale: Locale;
  token: string | null;
  /** The daemon refused the request for want of a valid token. */
  onUnauthorized(): void;
  /** The WebSocket link changed state. */
  onConnectionEvent(event: LinkEvent): void;
  /** The WebSocket came back after a drop: events may have been missed, so reload. */
  onReconnected(): void;
}

/** An urql client plus the WebSocket behind its subscriptions. */
export interface ConsoleClient {
  client: Client;
  /** Closes the WebSocket; events after this are not reported. */
  dispose(): void;
}

const MAX_RETRY_WAIT_MS = 5_000;

/**
 * Builds the urql client. Locale and token are fixed per client: switching either builds a new one,
 * which also reconnects the WebSocket so its connectionParams carry the new values.
 */
export function createConsoleClient(options: ConsoleClientOptions): ConsoleClient {
  const { endpoints, locale, token } = options;
  let disposed = false;
  const report = (event: LinkEvent) => {
    if (!disposed) options.onConnectionEvent(event);
  };

  const headers = requestHeaders(locale, token);
  const params = connectionParams(locale, token);
  const ws = createWsClient({
    url: endpoints.ws,
    // Connect now rather than on the first subscription, so the badge tells the truth from the start.
    lazy: false,
    onNonLazyError: () => {
      // Reported through the `closed` listener below; nothing more to say here.
    },
    connectionParams: params,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: (event) => !isFatalClose(event),
    // The library's default backoff grows without bound; a daemon back from a restart should be
    // picked up within seconds.
    retryWait: (retries) =>
      new Promise((resolve) =>
        setTimeout(resolve, Math.min(500 * 2 ** retries, MAX_RETRY_WAIT_MS) + Math.random() * 300),
      ),
    on: {
      connecting: () => report({ type: "connecting" }),
      connected: (_socket, _payload, wasRetry) => {
        report({ type: "connected" });
        if (wasRetry && !disposed) options.onReconnected();
      },
      closed: (event) => {
        report({ type: "closed", fatal: isFatalClose(event) });
        if (isUnauthorizedClose(event) && !disposed) options.onUnauthorized();
      },
    },
  });

  const client = new Client({
    url: endpoints.http,
    requestPolicy: "network-only",
    // POST for everything: GET support is optional in GraphQL over HTTP, POST is universal.
    preferGetMethod: false,
    fetchOptions: { headers },
    exchanges: [
      mapExchange({
        onError: (error) => {
          if (isUnauthorizedError(error) && !disposed) options.onUnauthorized();
        },
      }),
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            unsubscribe: ws.subscribe({ ...request, query: request.query ?? "" }, sink),
          }),
        }),
      }),
      fetchExchange,
    ],
  });

  return {
    client,
    dispose() {
      disposed = true;
      void ws.dispose();
    },
  };
}
