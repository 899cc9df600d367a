import type { TunnelState } from "@autostun/relay";
import type { TunnelUdpMatch, TunnelUdpStats, TunnelUdpView } from "@autostun/tunnels";
import { Tokens } from "../tokens.js";
import { builder } from "./builder.js";
import { PublicAddressRef, TunnelRef, TunnelStateEnum } from "./tunnels.js";

/** The wire form of a tunnel's UDP side: what `Tunnel.udp` answers, absent values as null. */
export interface TunnelUdpFields {
  state: TunnelState;
  reason: string;
  publicAddress: { ip: string; port: number } | null;
  localPort: number | null;
  samePort: boolean;
  lastKeepaliveAt: string | null;
  match: TunnelUdpMatch | null;
  search: {
    outcome: "FOUND" | "NOT_FOUND";
    code: string | null;
    sockets: number;
    packets: number;
    elapsedMs: number;
    at: string;
  } | null;
}

/**
 * The view's UDP side as the API shows it, or null for a tunnel with `udp: false`. One function, so the
 * resolvers and their tests agree on every field.
 */
export function tunnelUdpFields(udp: TunnelUdpView | undefined): TunnelUdpFields | null {
  if (!udp) return null;
  return {
    state: udp.state,
    reason: udp.reason,
    publicAddress: udp.publicAddress ? { ip: udp.publicAddress.ip, port: udp.publicAddress.port } : null,
    localPort: udp.localPort ?? null,
    samePort: udp.samePort,
    lastKeepaliveAt: udp.lastKeepaliveAt?.toISOString() ?? null,
    match: udp.match ?? null,
    search: udp.search
      ? {
          outcome: udp.search.outcome,
          code: udp.search.code ?? null,
          sockets: udp.search.sockets,
          packets: udp.search.packets,
          elapsedMs: udp.search.elapsedMs,
          at: udp.search.at.toISOString(),
        }
      : null,
  };
}

const TunnelUdpMatchEnum = builder.enumType("TunnelUdpMatch", {
  description:
    "How the UDP public port was made equal to the TCP one. SAME_LOCAL_PORT: the gateway kept the local port (or had the wanted one free); SEARCH: a search among UDP mappings found the TCP public port; PAIR: a TCP and a UDP mapping with equal public ports were found together (the TCP port moved too); DOWNLOADER: the downloader holds UDP on the public port itself.",
  values: ["SAME_LOCAL_PORT", "SEARCH", "PAIR", "DOWNLOADER"] as const,
});

const TunnelUdpSearchOutcomeEnum = builder.enumType("TunnelUdpSearchOutcome", {
  description: "Whether the equal-port search found a UDP mapping on the TCP public port.",
  values: ["FOUND", "NOT_FOUND"] as const,
});

type SearchFields = NonNullable<TunnelUdpFields["search"]>;

const TunnelUdpSearchRef = builder.objectRef<SearchFields>("TunnelUdpSearch").implement({
  description: "What the last search for a UDP mapping on the TCP public port spent, and what came of it.",
  fields: (t) => ({
    outcome: t.field({ type: TunnelUdpSearchOutcomeEnum, resolve: (s) => s.outcome }),
    code: t.string({
      nullable: true,
      description: "Why nothing was found, as a code the docs explain; null when found",
      resolve: (s) => s.code,
    }),
    sockets: t.int({ description: "UDP sockets opened while searching", resolve: (s) => s.sockets }),
    packets: t.int({ description: "STUN requests sent while searching", resolve: (s) => s.packets }),
    elapsedMs: t.int({
      description: "How long the search took, in milliseconds",
      resolve: (s) => s.elapsedMs,
    }),
    at: t.field({ type: "DateTime", description: "When the search ended", resolve: (s) => s.at }),
  }),
});

const TunnelUdpStatsRef = builder.objectRef<TunnelUdpStats>("TunnelUdpStats").implement({
  description: "The UDP side's counters since the tunnel last started.",
  fields: (t) => ({
    active: t.int({ description: "Peer sessions live now", resolve: (s) => s.active }),
    handled: t.int({
      description: "Sessions (user space) or flows (kernel) accepted since the tunnel started",
      resolve: (s) => s.handled,
    }),
    blocked: t.int({ description: "Datagrams from banned peers dropped", resolve: (s) => s.blocked }),
    dropped: t.int({
      description: "Datagrams dropped for limits or backpressure (user-space forwarding only)",
      resolve: (s) => s.dropped,
    }),
    bytesIn: t.float({ description: "Bytes from peers to the target", resolve: (s) => s.bytesIn }),
    bytesOut: t.float({ description: "Bytes from the target to peers", resolve: (s) => s.bytesOut }),
  }),
});

/** The UDP side carries the tunnel's id along, for `stats`, which asks the relay manager by id. */
type UdpParent = TunnelUdpFields & { tunnelId: string };

const TunnelUdpRef = builder.objectRef<UdpParent>("TunnelUdp").implement({
  description:
    "The tunnel's UDP mapping on the same public port as TCP, so uTP and DHT reach the downloader on the one port it announces.",
  fields: (t) => ({
    state: t.field({
      type: TunnelStateEnum,
      description: "The UDP mapping's own state, in the tunnel's state names",
      resolve: (u) => u.state,
    }),
    reason: t.string({
      description:
        "Why the UDP side is in this state; when no equal port was found, what was tried (TCP keeps working)",
      resolve: (u) => u.reason,
    }),
    publicAddress: t.field({
      type: PublicAddressRef,
      nullable: true,
      description: "The UDP mapping's public side; kept from the last open, like the TCP one",
      resolve: (u) => u.publicAddress,
    }),
    localPort: t.int({
      nullable: true,
      description: "The local UDP port holding the mapping",
      resolve: (u) => u.localPort,
    }),
    samePort: t.boolean({
      description: "True while the UDP public address equals the TCP one (address and port)",
      resolve: (u) => u.samePort,
    }),
    lastKeepaliveAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "When the last STUN keep-alive of the UDP mapping was answered",
      resolve: (u) => u.lastKeepaliveAt,
    }),
    match: t.field({
      type: TunnelUdpMatchEnum,
      nullable: true,
      description: "How the equal port was reached; null until it was",
      resolve: (u) => u.match,
    }),
    search: t.field({
      type: TunnelUdpSearchRef,
      nullable: true,
      description: "The last equal-port search; null while none ran",
      resolve: (u) => u.search,
    }),
    stats: t.field({
      type: TunnelUdpStatsRef,
      nullable: true,
      description: "The UDP counters; null while the UDP side does not forward or they cannot be read",
      resolve: async (u, _args, ctx) =>
        ctx.services
          .get(Tokens.Relay)
          .udpStats(u.tunnelId)
          .catch(() => null),
    }),
  }),
});

builder.objectField(TunnelRef, "udp", (t) =>
  t.field({
    type: TunnelUdpRef,
    nullable: true,
    description:
      "The UDP mapping on the same public port (uTP, DHT); null when the tunnel is configured with udp: false",
    resolve: (v) => {
      const fields = tunnelUdpFields(v.udp);
      return fields && { ...fields, tunnelId: v.config.id };
    },
  }),
);
