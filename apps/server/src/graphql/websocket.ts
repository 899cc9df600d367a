import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { TokenGate } from "@autostun/api-guard";
import { type ExecutionArgs, GraphQLError } from "graphql";
import type { Context } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { type WebSocket, WebSocketServer } from "ws";
import { localeFrom, type RequestScope } from "./context.js";
import type { GraphQLHandler } from "./yoga.js";

/** A GraphQL message is a few kB at most; ws would otherwise buffer up to 100 MiB per frame. */
const MAX_MESSAGE_BYTES = 1024 * 1024;

/** graphql-ws closes with 4403 for a refused connection; 4429 says "wait", as HTTP's 429 does. */
const CLOSE_THROTTLED = 4429;

type Extra = { socket: WebSocket; request: IncomingMessage };
type Enveloped = ReturnType<GraphQLHandler["getEnveloped"]>;

/**
 * GraphQL over WebSocket (the graphql-ws protocol). Every operation goes through yoga's own pipeline
 * (`getEnveloped`), so limits, error masking and context are those of HTTP. The upgrade itself is
 * checked by the HTTP layer before `handleUpgrade` is called.
 */
export function attachWebSocket(options: { yoga: GraphQLHandler; gate: TokenGate }) {
  const { yoga, gate } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const scopes = new WeakMap<WebSocket, RequestScope>();

  /** One scope per connection: its signal aborts when the socket closes, cancelling what it started. */
  const scopeOf = (ctx: Context<Record<string, unknown> | undefined, Extra>): RequestScope => {
    let scope = scopes.get(ctx.extra.socket);
    if (!scope) {
      const closed = new AbortController();
      ctx.extra.socket.once("close", () => closed.abort(new Error("the WebSocket closed")));
      scope = {
        locale: localeFrom(
          typeof ctx.connectionParams?.["locale"] === "string" ? ctx.connectionParams["locale"] : undefined,
          ctx.extra.request.headers["accept-language"],
        ),
        signal: closed.signal,
      };
      scopes.set(ctx.extra.socket, scope);
    }
    return scope;
  };

  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      onConnect: async (ctx) => {
        const presented = ctx.connectionParams?.["authorization"];
        const admission = await gate.admit(
          ctx.extra.request.socket.remoteAddress,
          typeof presented === "string" ? presented : undefined,
        );
        if (admission.ok) return true;
        if (admission.reason === "busy") {
          ctx.extra.socket.close(CLOSE_THROTTLED, gate.message(admission).slice(0, 120));
        }
        return false;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const enveloped = yoga.getEnveloped({ scope: scopeOf(ctx), req: ctx.extra.request, params: payload });
        let document: ReturnType<Enveloped["parse"]>;
        try {
          document = enveloped.parse(payload.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
        }
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length > 0) return [...errors];
        const args: ExecutionArgs = {
          schema: enveloped.schema,
          document,
          contextValue: await enveloped.contextFactory(),
          variableValues: payload.variables ?? null,
          operationName: payload.operationName ?? null,
          // graphql-ws calls the execute/subscribe below with these args; carrying yoga's own functions in
          // rootValue keeps masking and every other yoga plugin on the path.
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
        return args;
      },
      execute: (args) => (args.rootValue as Pick<Enveloped, "execute">).execute(args),
      subscribe: (args) => (args.rootValue as Pick<Enveloped, "subscribe">).subscribe(args),
    },
    wss,
  );
  return {
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit("connection", ws, request));
    },
    async close() {
      await disposable.dispose();
      for (const client of wss.clients) client.terminate();
    },
  };
}
