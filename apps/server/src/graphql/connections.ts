import {
  type ConnectionEvent,
  type ConnectionRecord,
  connectionProtocol,
  type GeoInfo,
} from "@autostun/relay";
import { type ConnectionCursor, type ConnectionOrder, SqliteConnectionStore } from "@autostun/tunnels";
import { GraphQLError } from "graphql";
import type { DaemonEvents } from "../events/daemon-events.js";
import { Tokens } from "../tokens.js";
import { builder } from "./builder.js";
import { type PageInfo, PageInfoRef } from "./page-info.js";

/** Most connections one page may ask for; a console shows tens. */
export const MAX_PAGE = 500;
const DEFAULT_PAGE = 50;

const GeoRef = builder.objectRef<GeoInfo>("Geo").implement({
  description: "Where the peer is, as far as the GeoIP data knows (see Query.geoAttribution).",
  fields: (t) => ({
    country: t.string({ nullable: true, resolve: (g) => g.country }),
    city: t.string({ nullable: true, resolve: (g) => g.city }),
    asn: t.int({ nullable: true, resolve: (g) => g.asn }),
  }),
});

const ConnectionProtocolEnum = builder.enumType("ConnectionProtocol", {
  description: "How the peer came: a TCP connection, or a UDP session (uTP, DHT).",
  values: ["TCP", "UDP"] as const,
});

/**
 * The fields of one peer connection. `TunnelConnection` is the name the API contract gives them (and
 * `resolvePeer` returns), so it stays, as an interface: fragments `on TunnelConnection` keep working while
 * the listing's types read PeerConnection / PeerConnectionConnection / PeerConnectionEdge.
 */
export const TunnelConnectionRef = builder
  .interfaceRef<Readonly<ConnectionRecord>>("TunnelConnection")
  .implement({
    description:
      "One peer connection through a tunnel, live (closedAt null) or recent. Every one is a PeerConnection; this name is kept for clients that select on it.",
    resolveType: () => "PeerConnection",
    fields: (t) => ({
      id: t.exposeID("id"),
      tunnelId: t.id({ resolve: (c) => c.tunnelId }),
      protocol: t.field({ type: ConnectionProtocolEnum, resolve: (c) => connectionProtocol(c) }),
      remoteAddress: t.string({ description: "The real peer, ip:port", resolve: (c) => c.remoteAddress }),
      proxyAddress: t.string({
        nullable: true,
        description: "What the downloader saw as the peer (a 127.x.y.z address for a loopback target)",
        resolve: (c) => c.proxyAddress,
      }),
      openedAt: t.field({ type: "DateTime", resolve: (c) => c.openedAt.toISOString() }),
      closedAt: t.field({
        type: "DateTime",
        nullable: true,
        resolve: (c) => c.closedAt?.toISOString() ?? null,
      }),
      bytesIn: t.float({ description: "Bytes from the peer to the target", resolve: (c) => c.bytesIn }),
      bytesOut: t.float({ description: "Bytes from the target to the peer", resolve: (c) => c.bytesOut }),
      geo: t.field({ type: GeoRef, nullable: true, resolve: (c) => c.geo }),
    }),
  });

/** A peer's connection through a tunnel: the node of `connections` and of connection events. */
export const PeerConnectionRef = builder.objectRef<Readonly<ConnectionRecord>>("PeerConnection").implement({
  description: "One peer connection through a tunnel, live (closedAt null) or recent.",
  interfaces: [TunnelConnectionRef],
  fields: () => ({}),
});

const ConnectionOrderEnum = builder.enumType("ConnectionOrder", {
  description: "Newest first, or the most bytes (both ways together) first.",
  values: ["OPENED_AT", "BYTES"] as const,
});

interface Edge {
  node: Readonly<ConnectionRecord>;
  cursor: string;
}

interface Page {
  edges: Edge[];
  pageInfo: PageInfo;
  totalCount: number;
}

const EdgeRef = builder.objectRef<Edge>("PeerConnectionEdge").implement({
  fields: (t) => ({
    node: t.field({ type: PeerConnectionRef, resolve: (e) => e.node }),
    cursor: t.exposeString("cursor"),
  }),
});

const PageRef = builder.objectRef<Page>("PeerConnectionConnection").implement({
  description: "A page of a tunnel's peer connections (Relay cursor connection).",
  fields: (t) => ({
    edges: t.field({ type: [EdgeRef], resolve: (p) => p.edges }),
    pageInfo: t.field({ type: PageInfoRef, resolve: (p) => p.pageInfo }),
    totalCount: t.int({ resolve: (p) => p.totalCount }),
  }),
});

/** Cursors carry the order they were made for, so one from another order is refused, not misread. */
function encodeCursor(order: ConnectionOrder, cursor: ConnectionCursor): string {
  return Buffer.from(JSON.stringify({ o: order, k: cursor.key, i: cursor.id })).toString("base64url");
}

function decodeCursor(order: ConnectionOrder, text: string): ConnectionCursor {
  try {
    const value = JSON.parse(Buffer.from(text, "base64url").toString()) as {
      o: unknown;
      k: unknown;
      i: unknown;
    };
    if (
      value.o === order &&
      (typeof value.k === "string" || typeof value.k === "number") &&
      typeof value.i === "string"
    )
      return { key: value.k, id: value.i };
  } catch {
    // falls through to the client error below
  }
  throw new GraphQLError("after is not a cursor of this listing; pass an endCursor from the same orderBy", {
    extensions: { code: "BAD_CURSOR" },
  });
}

const EventTypeEnum = builder.enumType("ConnectionEventType", {
  values: ["OPENED", "UPDATED", "CLOSED"] as const,
});

const ConnectionEventRef = builder.objectRef<ConnectionEvent>("ConnectionEvent").implement({
  fields: (t) => ({
    type: t.field({
      type: EventTypeEnum,
      resolve: (e) => e.type.toUpperCase() as "OPENED" | "UPDATED" | "CLOSED",
    }),
    connection: t.field({ type: PeerConnectionRef, resolve: (e) => e.connection }),
  }),
});

/** The bus's connection events, only those of one tunnel when asked; ends the bus iterator with the client. */
async function* eventsOf(
  source: AsyncIterableIterator<DaemonEvents["connection.event"]>,
  tunnelId: string | undefined,
): AsyncGenerator<ConnectionEvent> {
  try {
    for await (const event of source) {
      if (tunnelId === undefined || event.connection.tunnelId === tunnelId) yield event;
    }
  } finally {
    await source.return?.();
  }
}

builder.queryFields((t) => ({
  connections: t.field({
    type: PageRef,
    description:
      "Connections of one tunnel, live and recent (kept as configured under connections.retention).",
    args: {
      tunnelId: t.arg.id({ required: true }),
      first: t.arg.int({ required: false }),
      after: t.arg.string({ required: false }),
      orderBy: t.arg({ type: ConnectionOrderEnum, required: false }),
    },
    resolve: (_root, args, ctx) => {
      const order = args.orderBy ?? "OPENED_AT";
      const first = args.first ?? DEFAULT_PAGE;
      if (first < 1 || first > MAX_PAGE)
        throw new GraphQLError(`first must be 1-${MAX_PAGE}; page on with after`, {
          extensions: { code: "BAD_PAGE_SIZE" },
        });
      const after = args.after ? decodeCursor(order, args.after) : undefined;
      const page = ctx.services.get(Tokens.Relay).connectionPage(String(args.tunnelId), order, first, after);
      const edges = page.records.map((node) => ({
        node,
        cursor: encodeCursor(order, SqliteConnectionStore.cursorOf(node, order)),
      }));
      return {
        edges,
        pageInfo: {
          hasNextPage: page.hasNextPage,
          hasPreviousPage: after !== undefined,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
        totalCount: page.totalCount,
      };
    },
  }),
  resolvePeer: t.field({
    type: TunnelConnectionRef,
    nullable: true,
    description:
      "The real peer behind an address the downloader saw, e.g. 127.4.5.6:51413; null when unknown.",
    args: { address: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.get(Tokens.Relay).resolvePeer(args.address) ?? null,
  }),
}));

builder.subscriptionFields((t) => ({
  connectionEvents: t.field({
    type: ConnectionEventRef,
    description:
      "Connections opening, moving bytes (every few seconds) and closing; of one tunnel when tunnelId is given.",
    args: { tunnelId: t.arg.id({ required: false }) },
    subscribe: (_root, args, ctx) =>
      eventsOf(
        ctx.services.get(Tokens.Bus).iterate("connection.event"),
        args.tunnelId == null ? undefined : String(args.tunnelId),
      ),
    resolve: (event) => event as ConnectionEvent,
  }),
}));
