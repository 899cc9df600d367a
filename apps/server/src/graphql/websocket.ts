import type { Server } from "node:http";
import {
  type ExecutionArgs,
  type ExecutionResult,
  execute,
  GraphQLError,
  parse,
  specifiedRules,
  subscribe,
  validate,
} from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { bearerMatches } from "./auth.js";
import { localeFrom } from "./context.js";
import { depthLimit, MAX_QUERY_DEPTH, MAX_QUERY_TOKENS } from "./limits.js";
import { schema } from "./schema.js";
import type { Services } from "./yoga.js";

/**
 * GraphQL over WebSocket (the graphql-ws protocol) on `/graphql` of the same HTTP server. With a token
 * configured, the connection is refused unless `connectionParams.authorization` carries it.
 */
export function attachWebSocket(server: Server, services: Services, token: string | undefined) {
  const wss = new WebSocketServer({ server, path: "/graphql" });
  const disposable = useServer(
    {
      schema,
      onConnect: (ctx) => {
        if (!token) return true;
        const presented = (ctx.connectionParams as { authorization?: unknown } | undefined)?.authorization;
        return typeof presented === "string" && bearerMatches(presented, token);
      },
      context: (ctx) => ({
        ...services,
        locale: localeFrom(
          String((ctx.connectionParams as { locale?: unknown } | undefined)?.locale ?? ""),
          ctx.extra.request.headers["accept-language"],
        ),
      }),
      onSubscribe: (_ctx, _id, payload) => {
        let document: ReturnType<typeof parse>;
        try {
          document = parse(payload.query, { maxTokens: MAX_QUERY_TOKENS });
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
        }
        const errors = validate(schema, document, [...specifiedRules, depthLimit(MAX_QUERY_DEPTH)]);
        if (errors.length > 0) return [...errors];
        const args: ExecutionArgs = {
          schema,
          document,
          variableValues: payload.variables ?? null,
          operationName: payload.operationName ?? null,
        };
        return args;
      },
      execute: async (args) => maskResult(await execute(args)),
      subscribe: async (args) => {
        const result = await subscribe(args);
        return Symbol.asyncIterator in result ? maskStream(result) : maskResult(result);
      },
      onError: () => {
        // Errors are already sent to the client in an ErrorMessage; nothing else to do.
      },
    },
    wss,
  );
  return {
    async close() {
      await disposable.dispose();
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** Same masking as over HTTP: only errors raised for the client keep their message. */
function maskResult(result: ExecutionResult): ExecutionResult {
  if (!result.errors) return result;
  return {
    ...result,
    errors: result.errors.map((error) =>
      error.originalError && !(error.originalError instanceof GraphQLError)
        ? new GraphQLError("Unexpected error.", { nodes: error.nodes, path: error.path })
        : error,
    ),
  };
}

async function* maskStream(stream: AsyncIterable<ExecutionResult>): AsyncGenerator<ExecutionResult> {
  for await (const result of stream) yield maskResult(result);
}
