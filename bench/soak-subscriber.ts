/**
 * The soak's GraphQL subscriber, run inside the LAN namespace next to the daemon: subscribes over
 * graphql-ws to tunnelUpdated and connectionEvents the way the console does, and prints one JSON line
 * per tunnel update and, once a second, how many connection events arrived so far.
 * Usage: AUTOSTUN_API_TOKEN=… node --import tsx bench/soak-subscriber.ts ws://127.0.0.1:7878/graphql
 */
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const url = process.argv[2] ?? "ws://127.0.0.1:7878/graphql";
const out = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { authorization: `Bearer ${process.env["AUTOSTUN_API_TOKEN"] ?? ""}` },
  retryAttempts: Number.POSITIVE_INFINITY,
  shouldRetry: () => true,
  on: {
    connected: () => out({ kind: "connected", at: Date.now() }),
    closed: () => out({ kind: "disconnected", at: Date.now() }),
  },
});

let connectionEvents = 0;
const fail = (error: unknown) => out({ kind: "error", at: Date.now(), error: String(error) });

client.subscribe<{
  tunnelUpdated: {
    id: string;
    state: string;
    publicAddress: { ip: string; port: number } | null;
    recoveryCount: number;
    lastRecoveryAt: string | null;
  };
}>(
  {
    query:
      "subscription { tunnelUpdated { id state publicAddress { ip port } recoveryCount lastRecoveryAt } }",
  },
  {
    next: ({ data }) => data && out({ kind: "tunnel", at: Date.now(), ...data.tunnelUpdated }),
    error: fail,
    complete: () => undefined,
  },
);
client.subscribe(
  { query: "subscription { connectionEvents { type } }" },
  {
    next: () => {
      connectionEvents++;
    },
    error: fail,
    complete: () => undefined,
  },
);
setInterval(() => out({ kind: "events", at: Date.now(), connectionEvents }), 1_000);
