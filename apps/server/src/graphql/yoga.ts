import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import { parse } from "graphql";
import { createYoga, type Plugin } from "graphql-yoga";
import { bearerMatches } from "./auth.js";
import { type GraphQLContext, localeFrom } from "./context.js";
import { depthLimit, MAX_QUERY_DEPTH, MAX_QUERY_TOKENS } from "./limits.js";
import { schema } from "./schema.js";

export type Services = Omit<GraphQLContext, "locale">;

/** Parse and validation limits shared by HTTP and WebSocket. */
export const hardening: Plugin = {
  onParse({ setParseFn }) {
    setParseFn((source, options) => parse(source, { ...options, maxTokens: MAX_QUERY_TOKENS }));
  },
  onValidate({ addValidationRule }) {
    addValidationRule(depthLimit(MAX_QUERY_DEPTH));
  },
};

/**
 * GraphQL over HTTP (queries, mutations, subscriptions as SSE). Errors are masked unless they are
 * GraphQLErrors we raised for the client; CSRF prevention is on; the token, when set, is required.
 */
export function createGraphQLHandler(services: Services, token: string | undefined) {
  const auth: Plugin = {
    onRequest({ request, endResponse, fetchAPI }) {
      if (token && !bearerMatches(request.headers.get("authorization"), token)) {
        endResponse(
          new fetchAPI.Response(
            JSON.stringify({ errors: [{ message: "missing or wrong API token (Authorization: Bearer …)" }] }),
            {
              status: 401,
              headers: { "content-type": "application/json", "www-authenticate": 'Bearer realm="autostun"' },
            },
          ),
        );
      }
    },
  };
  return createYoga<Record<string, unknown>, GraphQLContext>({
    schema,
    graphqlEndpoint: "/graphql",
    graphiql: false,
    landingPage: false,
    maskedErrors: true,
    logging: false,
    plugins: [
      auth,
      useCSRFPrevention({ requestHeaders: ["x-graphql-yoga-csrf", "x-autostun-locale"] }),
      hardening,
    ],
    context: ({ request }) => ({
      ...services,
      locale: localeFrom(request.headers.get("x-autostun-locale"), request.headers.get("accept-language")),
    }),
  });
}
