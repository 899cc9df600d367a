import type { IncomingMessage, ServerResponse } from "node:http";
import type { TokenGate } from "@autostun/api-guard";
import {
  depthLimit,
  MAX_QUERY_DEPTH,
  MAX_QUERY_TOKENS,
  MAX_ROOT_FIELDS,
  rootFieldLimit,
  subscriptionCaps,
} from "@autostun/api-guard";
import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import { parse } from "graphql";
import { createYoga, type Plugin } from "graphql-yoga";
import { type ServiceLookup, Tokens } from "../tokens.js";
import { type GraphQLContext, localeFrom, type RequestScope } from "./context.js";
import { schema } from "./schema.js";

/**
 * What reaches yoga besides the Fetch request: Node's req/res over HTTP; over WebSocket, the connection's
 * scope instead (there is no Fetch request there).
 */
export interface ServerContext {
  req?: IncomingMessage;
  res?: ServerResponse;
  scope?: RequestScope;
}

/** Parse and validation limits; WebSocket operations run through the same yoga pipeline, so they get them too. */
export const hardening: Plugin = {
  onParse({ setParseFn }) {
    setParseFn((source, options) => parse(source, { ...options, maxTokens: MAX_QUERY_TOKENS }));
  },
  onValidate({ addValidationRule }) {
    addValidationRule(depthLimit(MAX_QUERY_DEPTH));
    addValidationRule(rootFieldLimit(MAX_ROOT_FIELDS));
  },
};

export interface GraphQLHandlerOptions {
  services: ServiceLookup;
  /** Every HTTP request must pass it: the daemon always has a token (api.token or its token file). */
  gate: TokenGate;
  /**
   * Cross-origin callers that get CORS headers. The console itself is same-origin and needs none; origins
   * not allowed never reach yoga (the HTTP layer answers 403).
   */
  corsOrigins: ReadonlySet<string>;
}

const CORS_HEADERS = ["authorization", "content-type", "accept", "x-autostun-locale", "x-graphql-yoga-csrf"];

/**
 * GraphQL over HTTP (queries, mutations, subscriptions as SSE) and, through `getEnveloped`, the pipeline
 * WebSocket operations use. Errors are masked unless they are GraphQLErrors we raised for the client;
 * CSRF prevention is on; the token, when set, is required.
 */
export function createGraphQLHandler(options: GraphQLHandlerOptions) {
  const { services, gate } = options;
  const auth: Plugin<Record<string, unknown>, ServerContext> = {
    async onRequest({ request, serverContext, endResponse, fetchAPI }) {
      // A CORS preflight carries no credentials by design and runs nothing; the request it announces does.
      if (request.method === "OPTIONS") return;
      const admission = await gate.admit(
        serverContext?.req?.socket.remoteAddress,
        request.headers.get("authorization"),
      );
      if (admission.ok) return;
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (admission.reason === "busy") headers["retry-after"] = String(admission.retryAfterSeconds);
      else headers["www-authenticate"] = 'Bearer realm="autostun"';
      endResponse(
        new fetchAPI.Response(JSON.stringify({ errors: [{ message: gate.message(admission) }] }), {
          status: admission.reason === "busy" ? 429 : 401,
          headers,
        }),
      );
    },
  };
  return createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: "/graphql",
    graphiql: false,
    landingPage: false,
    maskedErrors: true,
    logging: false,
    cors: (request) => {
      const origin = request.headers.get("origin");
      return origin && options.corsOrigins.has(origin)
        ? { origin: [origin], credentials: false, methods: ["GET", "POST"], allowedHeaders: CORS_HEADERS }
        : false;
    },
    plugins: [
      auth,
      useCSRFPrevention({ requestHeaders: ["x-graphql-yoga-csrf", "x-autostun-locale"] }),
      hardening,
      subscriptionCaps<{ req?: IncomingMessage; services?: ServiceLookup }>(
        (context) => context.services?.get(Tokens.Config).api?.subscriptions,
      ),
    ],
    context: ({ request, scope }) => ({
      services,
      ...(scope ?? {
        locale: localeFrom(request.headers.get("x-autostun-locale"), request.headers.get("accept-language")),
        signal: request.signal,
      }),
    }),
  });
}

export type GraphQLHandler = ReturnType<typeof createGraphQLHandler>;
