import type { ConfigProblem } from "@autostun/config";
import type { PublicAddress } from "@autostun/relay";
import { EMBEDDED_ATTRIBUTION } from "@autostun/relay";
import { InvalidTunnelError, TunnelRequestError, type TunnelStats, type TunnelView } from "@autostun/tunnels";
import { Tokens } from "../tokens.js";
import { builder } from "./builder.js";
import { relayClientErrors } from "./relay-errors.js";
import { ConfigProblemRef } from "./reload.js";
import {
  TunnelDownloaderInput,
  TunnelDownloaderRef,
  TunnelHooksInput,
  TunnelHooksRef,
} from "./tunnel-push.js";

export const TunnelStateEnum = builder.enumType("TunnelState", {
  values: ["STOPPED", "OPENING", "OPEN", "RECOVERING", "FAILED"] as const,
});

const TunnelPathEnum = builder.enumType("TunnelPath", {
  description:
    "How peers reach the target: through this process, through kernel DNAT, or straight to the downloader.",
  values: {
    USERSPACE: { value: "userspace" },
    NFTABLES: { value: "nftables" },
    DIRECT_DOWNLOADER: { value: "direct-downloader" },
  } as const,
});

const TunnelOriginEnum = builder.enumType("TunnelOrigin", {
  description: "CONFIG: from the config file (change it there); API: saved through saveTunnel.",
  values: { CONFIG: { value: "config" }, API: { value: "api" } } as const,
});

export const PublicAddressRef = builder.objectRef<PublicAddress>("PublicAddress").implement({
  description: "Where peers on the internet connect.",
  fields: (t) => ({ ip: t.exposeString("ip"), port: t.exposeInt("port") }),
});

const PrivateAddressRef = builder.objectRef<PublicAddress>("PrivateAddress").implement({
  description:
    "This host's side of the mapping: the address the tunnel's keep-alive leaves from (the one routing picked, on a host with several interfaces), and port P.",
  fields: (t) => ({ ip: t.exposeString("ip"), port: t.exposeInt("port") }),
});

/** Counters the daemon could not read: every number null, never a zero that looks like a fact. */
const UNKNOWN_STATS = { active: null, handled: null, blocked: null, bytesIn: null, bytesOut: null };
type StatsAnswer = TunnelStats | typeof UNKNOWN_STATS;

const TunnelStatsRef = builder.objectRef<StatsAnswer>("TunnelStats").implement({
  description:
    "The tunnel's counters since it last started. A number is null when it is not known: the tunnel is not forwarding, or the kernel's counters (forward: NFTABLES) could not be read.",
  fields: (t) => ({
    active: t.int({
      nullable: true,
      description: "Connections being forwarded now",
      resolve: (s) => s.active,
    }),
    handled: t.int({
      nullable: true,
      description: "Peers let through (past bans and limits)",
      resolve: (s) => s.handled,
    }),
    blocked: t.int({
      nullable: true,
      description: "Peers closed at the door: banned or over a limit",
      resolve: (s) => s.blocked,
    }),
    bytesIn: t.float({
      nullable: true,
      description: "Bytes from peers to the target",
      resolve: (s) => s.bytesIn,
    }),
    bytesOut: t.float({
      nullable: true,
      description: "Bytes from the target to peers",
      resolve: (s) => s.bytesOut,
    }),
  }),
});

const iso = (date: Date | undefined) => date?.toISOString() ?? null;

export const TunnelRef = builder.objectRef<TunnelView>("Tunnel").implement({
  description: "A port opened on the NAT gateway and forwarded to a target on this host or LAN.",
  fields: (t) => ({
    id: t.id({ resolve: (v) => v.config.id }),
    state: t.field({ type: TunnelStateEnum, resolve: (v) => v.status.state }),
    reason: t.string({ description: "Why the tunnel is in this state", resolve: (v) => v.status.reason }),
    localPort: t.int({
      nullable: true,
      description: "Port P on this host (chosen at run time when configured as 0)",
      resolve: (v) => v.status.localPort ?? (v.config.localPort || null),
    }),
    publicAddress: t.field({
      type: PublicAddressRef,
      nullable: true,
      resolve: (v) => v.status.publicAddress ?? null,
    }),
    privateAddress: t.field({
      type: PrivateAddressRef,
      nullable: true,
      description:
        "Where the public address leads on this host (hooks get it as AUTOSTUN_PRIVATE_IP/PORT); null until the tunnel has opened",
      resolve: (v) => v.status.privateAddress ?? null,
    }),
    target: t.string({ description: "Where peers are forwarded", resolve: (v) => v.config.target }),
    origin: t.field({ type: TunnelOriginEnum, resolve: (v) => v.origin }),
    stats: t.field({
      type: TunnelStatsRef,
      resolve: async (v, _args, ctx): Promise<StatsAnswer> =>
        (await ctx.services
          .get(Tokens.Relay)
          .stats(v.config.id)
          .catch(() => null)) ?? UNKNOWN_STATS,
    }),
    path: t.field({ type: TunnelPathEnum, resolve: (v) => v.status.path }),
    pathCost: t.string({
      description: "What the path costs, in one line",
      resolve: (v) => v.status.pathCost,
    }),
    listenPort: t.int({ nullable: true, resolve: (v) => v.status.listenPort ?? null }),
    stunServer: t.string({ nullable: true, resolve: (v) => v.status.stunServer ?? null }),
    lastKeepaliveAt: t.field({
      type: "DateTime",
      nullable: true,
      resolve: (v) => iso(v.status.lastKeepaliveAt),
    }),
    lastRecheckAt: t.field({ type: "DateTime", nullable: true, resolve: (v) => iso(v.status.lastRecheckAt) }),
    recoveryCount: t.int({ resolve: (v) => v.status.recoveryCount }),
    lastRecoveryAt: t.field({
      type: "DateTime",
      nullable: true,
      resolve: (v) => iso(v.status.lastRecoveryAt),
    }),
    openSince: t.field({
      type: "DateTime",
      nullable: true,
      description: "When the tunnel last became OPEN (its uptime starts here); null unless OPEN",
      resolve: (v) => iso(v.status.openSince),
    }),
    nextRetryAt: t.field({ type: "DateTime", nullable: true, resolve: (v) => iso(v.status.nextRetryAt) }),
    downloader: t.field({
      type: TunnelDownloaderRef,
      nullable: true,
      description:
        "The push of the public port to the tunnel's BitTorrent client; absent when none is configured",
      resolve: (v) => v.downloader ?? null,
    }),
    hooks: t.field({
      type: TunnelHooksRef,
      nullable: true,
      description: "The last run of the tunnel's hooks; absent before the first run or without hooks",
      resolve: (v) => v.hooks ?? null,
    }),
  }),
});

const ForwardModeEnum = builder.enumType("ForwardMode", {
  description:
    "USERSPACE: this process relays each connection (no root needed). NFTABLES: kernel DNAT, which needs root (CAP_NET_ADMIN).",
  values: { USERSPACE: { value: "userspace" }, NFTABLES: { value: "nftables" } } as const,
});

const TunnelInput = builder.inputType("TunnelInput", {
  description: "One tunnel, with the same keys and rules as an entry of tunnels[] in the config file.",
  fields: (t) => ({
    id: t.string({ required: true }),
    localPort: t.int({ required: false, description: "0 or absent: choose a free port" }),
    target: t.string({ required: true, description: 'Where peers go, "host:port" on loopback or the LAN' }),
    forward: t.field({
      type: ForwardModeEnum,
      required: false,
      description: "How peers are forwarded, as forward in the config file; absent: USERSPACE",
    }),
    downloader: t.field({ type: TunnelDownloaderInput, required: false }),
    hooks: t.field({ type: TunnelHooksInput, required: false }),
  }),
});

/** GraphQL hands an explicit null for an optional key; the config file would have left the key out. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, item]) => item != null)
      .map(([key, item]) => [key, withoutNulls(item)]),
  );
}

interface SaveTunnelPayload {
  tunnel: TunnelView | null;
  problems: ConfigProblem[];
}

const SaveTunnelPayloadRef = builder.objectRef<SaveTunnelPayload>("SaveTunnelPayload").implement({
  description:
    "What saveTunnel did: the tunnel as it now runs, or the problems that kept it from being saved.",
  fields: (t) => ({
    tunnel: t.field({
      type: TunnelRef,
      nullable: true,
      description: "The saved tunnel; null when problems refused it (then nothing changed)",
      resolve: (p) => p.tunnel,
    }),
    problems: t.field({
      type: [ConfigProblemRef],
      description: "Why the input was refused, one entry per key; empty when the tunnel was saved",
      resolve: (p) => p.problems,
    }),
  }),
});

/** Where a problem of saveTunnel's input was set, for ConfigProblem.source. */
const INPUT_SOURCE = "saveTunnel input";

/** Refusals the input can fix, keyed like the config file's errors; undefined for anything else. */
function saveTunnelProblems(error: unknown): ConfigProblem[] | undefined {
  if (error instanceof InvalidTunnelError)
    return error.problems.map((p) => ({ key: p.key, message: p.message, source: INPUT_SOURCE }));
  if (!(error instanceof TunnelRequestError)) return undefined;
  const key = INPUT_KEY_OF[error.code];
  if (!key) return undefined;
  return [{ key, message: error.message.replace(`${key}: `, ""), source: INPUT_SOURCE }];
}

/** The input key each refusal of the relay manager is about; the others are not the input's fault. */
const INPUT_KEY_OF: Partial<Record<TunnelRequestError["code"], string>> = {
  TUNNEL_IN_CONFIG: "tunnel.id",
  TARGET_REFUSED: "tunnel.target",
  FORWARDING_REFUSED: "tunnel.forward",
};

builder.queryFields((t) => ({
  tunnels: t.field({
    type: [TunnelRef],
    resolve: (_root, _args, ctx) => ctx.services.get(Tokens.Relay).list(),
  }),
  tunnel: t.field({
    type: TunnelRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.get(Tokens.Relay).get(String(args.id)) ?? null,
  }),
  geoAttribution: t.string({
    description: "Credit the embedded GeoIP data asks for; show it wherever countries are shown.",
    resolve: () => EMBEDDED_ATTRIBUTION,
  }),
}));

builder.mutationFields((t) => ({
  startTunnel: t.field({
    type: TunnelRef,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) =>
      relayClientErrors(() => ctx.services.get(Tokens.Relay).startTunnel(String(args.id))),
  }),
  stopTunnel: t.field({
    type: TunnelRef,
    description: "Stops a tunnel until startTunnel or a restart: frees its port and closes its connections.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) =>
      relayClientErrors(() => ctx.services.get(Tokens.Relay).stopTunnel(String(args.id))),
  }),
  saveTunnel: t.field({
    type: SaveTunnelPayloadRef,
    description:
      "Creates or replaces a tunnel, validated like the config file, and starts it. Kept across restarts; a tunnel of the config file cannot be replaced here. A tunnel the rules refuse comes back as problems (like reloadConfig's), with nothing saved; errors are left for what the input cannot fix (storage, limits).",
    args: { input: t.arg({ type: TunnelInput, required: true }) },
    resolve: (_root, args, ctx) =>
      relayClientErrors(async (): Promise<SaveTunnelPayload> => {
        try {
          // Absent keys stay absent, so the schema's defaults apply exactly as for the file.
          const tunnel = await ctx.services.get(Tokens.Relay).saveTunnel(withoutNulls(args.input));
          return { tunnel, problems: [] };
        } catch (error) {
          const problems = saveTunnelProblems(error);
          if (!problems) throw error;
          return { tunnel: null, problems };
        }
      }),
  }),
  pushDownloaderPort: t.field({
    type: TunnelRef,
    description:
      "Pushes the tunnel's public port to its downloader again now, e.g. after the client was fixed; the outcome arrives as tunnelUpdated.",
    args: { tunnelId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) =>
      relayClientErrors(() => ctx.services.get(Tokens.Relay).pushDownloaderPort(String(args.tunnelId))),
  }),
  deleteTunnel: t.boolean({
    description:
      "Stops a tunnel saved through the API, frees its port and forgets it. False when there was none.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) =>
      relayClientErrors(() => ctx.services.get(Tokens.Relay).deleteTunnel(String(args.id))),
  }),
}));

builder.subscriptionFields((t) => ({
  tunnelUpdated: t.field({
    type: TunnelRef,
    description: "Every change of a tunnel's state or reason.",
    subscribe: (_root, _args, ctx) => ctx.services.get(Tokens.Bus).iterate("tunnel.updated"),
    resolve: (view) => view as TunnelView,
  }),
}));
