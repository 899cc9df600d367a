import { z } from "zod";
import { argv, commandName, commandReferenceProblems, commandsSchema } from "./commands-schema.js";
import {
  DEFAULT_API_LISTEN,
  DEFAULT_KEEPALIVE_TARGET,
  DEFAULT_STUN_TCP,
  DEFAULT_STUN_UDP,
} from "./defaults.js";
import {
  DEFAULT_MAX_TUNNELS,
  MAX_CONNECTION_ROWS,
  MAX_RETENTION_HOURS,
  MAX_SCHEDULE_SECONDS,
  MAX_TUNNELS,
} from "./limits.js";
import {
  DEFAULT_SUBSCRIPTIONS_PER_CLIENT,
  DEFAULT_SUBSCRIPTIONS_TOTAL,
  MAX_SUBSCRIPTIONS_SETTING,
} from "./subscription-limits.js";
import {
  forbiddenTarget,
  isThisHostText,
  ownApiProblem,
  selfLoopProblem,
  splitTarget,
} from "./tunnel-targets.js";

const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'expected "host:port", e.g. "127.0.0.1:6881"')
  // Only judge the port when the shape matched, so one mistake gives one message.
  .refine((value) => {
    const port = Number(value.slice(value.lastIndexOf(":") + 1));
    return Number.isNaN(port) || port <= 65535;
  }, "port must be 0-65535");

const subscriptionCount = z
  .number({ error: `expected a number: 1-${MAX_SUBSCRIPTIONS_SETTING}` })
  .int({ error: "use a whole number" })
  .min(1, { error: `use 1-${MAX_SUBSCRIPTIONS_SETTING}` })
  .max(MAX_SUBSCRIPTIONS_SETTING, { error: `use 1-${MAX_SUBSCRIPTIONS_SETTING}` });

/**
 * Whole seconds from `min` to `max`. Every duration in the config goes through here, so no value can reach
 * a timer unbounded (Node turns a delay past 2^31-1 ms into 1 ms, a busy loop).
 */
function seconds(min: number, max: number, zeroMeans?: string) {
  const range = `${min}-${max} seconds${zeroMeans ? ` (0 = ${zeroMeans})` : ""}`;
  const outOfRange = (issue: { input?: unknown }) => `${String(issue.input)} is out of range: use ${range}`;
  return z
    .number({ error: `expected a number: ${range}` })
    .int({ error: (issue) => `${String(issue.input)} is not a whole number: use ${range}` })
    .min(min, { error: outOfRange })
    .max(max, { error: outOfRange });
}

/** An http(s) URL: the API of a downloader or a webhook receiver. */
const httpUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}, 'expected an http(s) URL, e.g. "http://127.0.0.1:8080"');

/**
 * The BitTorrent client a tunnel pushes its public port to. `kind` names an adapter: the built-ins
 * qbittorrent, transmission, deluge, aria2, or one a plugin registers.
 */
const downloader = z
  .object({
    kind: z
      .string()
      .regex(
        /^[a-z][a-z0-9-]{0,31}$/,
        "a downloader kind in lower case: qbittorrent, transmission, deluge, aria2, or one a plugin adds",
      ),
    url: httpUrl,
    username: z.string().default(""),
    /** The Web UI password, or the RPC secret for aria2. Stored, never shown or logged. */
    password: z.string().default(""),
    /**
     * An API key sent instead of logging in (qBittorrent 5.2+ creates one in its Web UI options). Like the
     * password: stored, never shown or logged. Optional, so configs written before it stay valid.
     */
    apiKey: z
      .string()
      .min(1, "an API key cannot be empty: leave apiKey out to log in with the password")
      .optional(),
    /**
     * Run when the client answers OK but does not listen on the new port (upstream aria2): it should
     * restart the client with `--listen-port=$AUTOSTUN_LISTEN_PORT`. `command` only in the config file;
     * `commandName` picks one of the file's `commands` (the only way through the API).
     */
    restartHook: z
      .object({
        command: argv.optional(),
        commandName: commandName.optional(),
        timeoutSeconds: seconds(1, 600).default(60),
      })
      .strict()
      .superRefine((hook, context) => oneCommand(hook, context))
      .optional(),
  })
  .strict();

/** What runs whenever a tunnel opens or its public address changes. */
const hooks = z
  .object({
    /**
     * Gets AUTOSTUN_TUNNEL_ID, _PROTOCOL, _PRIVATE_IP, _PRIVATE_PORT, _PUBLIC_IP, _PUBLIC_PORT. Only in
     * the config file; through the API `commandName` picks one of the file's `commands`.
     */
    command: argv.optional(),
    commandName: commandName.optional(),
    timeoutSeconds: seconds(1, 600).default(30),
    webhook: z
      .object({
        url: httpUrl,
        /** Sent in `secretHeader` so the receiver can tell the call is ours; never shown or logged. */
        secret: z.string().min(1, "leave it out rather than empty").optional(),
        secretHeader: z
          .string()
          .regex(/^[A-Za-z0-9-]{1,64}$/, "an HTTP header name: letters, digits and '-'")
          .default("X-AutoSTUN-Secret"),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((hooks, context) => {
    if (hooks.command && hooks.commandName) oneCommand(hooks, context);
  });

/** A hook names its program once: as an argument list (file only) or by the name of one in `commands`. */
function oneCommand(
  hook: { command?: readonly string[] | undefined; commandName?: string | undefined },
  context: z.RefinementCtx,
): void {
  if (hook.command && hook.commandName)
    context.addIssue({
      code: "custom",
      path: ["commandName"],
      message: "give command or commandName, not both",
    });
  else if (!hook.command && !hook.commandName)
    context.addIssue({
      code: "custom",
      path: ["command"],
      message:
        'give the program to run: commandName: "name-in-commands", or (config file only) command: [...]',
    });
}

/**
 * A web origin (`scheme://host[:port]`, no path): browsers compare origins exactly, so anything else in
 * the list would never match and only hide a typo.
 */
const webOrigin = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.origin === value.replace(/\/$/, "");
  } catch {
    return false;
  }
}, 'expected an origin "http(s)://host[:port]" without a path, e.g. "https://dash.example"');

/** One tunnel, as in `tunnels[]`; `saveTunnel` validates its input with this too, so errors read the same. */
export const tunnelSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "letters, digits, '.', '_' or '-', at most 64"),
    localPort: z.number().int().min(0).max(65535).default(0),
    target: hostPort.superRefine((target, context) => {
      // Metadata services and link-local: refused here so the file and saveTunnel say it before any start.
      const forbidden = forbiddenTarget(target);
      if (forbidden)
        context.addIssue({
          code: "custom",
          message: `${forbidden}. Point the tunnel at the downloader on this host or the LAN, e.g. "127.0.0.1:6881"`,
        });
    }),
    forward: z.enum(["userspace", "nftables"]).default("userspace"),
    /**
     * User-space forwarding: a peer that sends nothing this long after connecting is closed, so silent
     * connections cannot hold every slot (absent: 10 s; BitTorrent peers that dial in speak first).
     */
    firstByteTimeoutSeconds: seconds(1, 300).optional(),
    /**
     * Also hold a UDP mapping on the same public port, so uTP and DHT reach the downloader where TCP
     * peers do. On by default: the downloader announces one port for both.
     */
    udp: z.boolean().default(true),
    /**
     * Seconds between two STUN keep-alives of the UDP mapping (absent: 5). Routers drop an idle UDP
     * mapping after as little as 30 s, so the range stays well under that.
     */
    udpKeepaliveSeconds: seconds(1, 20).optional(),
    downloader: downloader.optional(),
    hooks: hooks.optional(),
  })
  .strict()
  .superRefine((tunnel, context) => {
    const split = splitTarget(tunnel.target);
    if (split && tunnel.localPort && split.port === tunnel.localPort && isThisHostText(split.host))
      context.addIssue({ code: "custom", path: ["target"], message: selfLoopProblem(split.port) });
  });

export type TunnelConfig = z.output<typeof tunnelSchema>;
export type TunnelConfigInput = z.input<typeof tunnelSchema>;

/** The whole config file. Every key is optional; the defaults make `npm start` work with no file. */
export const configSchema = z
  .object({
    api: z
      .object({
        listen: hostPort.default(DEFAULT_API_LISTEN),
        token: z.string().min(16, "use at least 16 characters").optional(),
        /** Web pages on other origins that may call the API from a browser (a dashboard elsewhere). */
        corsOrigins: z.array(webOrigin).max(32, "at most 32 origins").default([]),
        /**
         * Open subscriptions (SSE and WebSocket) one client address, and all clients, may hold; absent:
         * DEFAULT_SUBSCRIPTIONS_PER_CLIENT and DEFAULT_SUBSCRIPTIONS_TOTAL.
         */
        subscriptions: z
          .object({
            perClient: subscriptionCount.default(DEFAULT_SUBSCRIPTIONS_PER_CLIENT),
            total: subscriptionCount.default(DEFAULT_SUBSCRIPTIONS_TOTAL),
          })
          .strict()
          .optional(),
      })
      .strict()
      .default({ listen: DEFAULT_API_LISTEN, corsOrigins: [] }),
    dataDir: z.string().min(1).default("./data"),
    /** Programs hooks may run, by name; only the file sets them (see commands-schema.ts). */
    commands: commandsSchema,
    locale: z.enum(["en", "zh-CN"]).optional(),
    log: z
      .object({ level: z.enum(["trace", "debug", "info", "warn", "error", "silent"]).default("info") })
      .strict()
      .default({ level: "info" }),
    stun: z
      .object({
        udp: z.array(hostPort).default([...DEFAULT_STUN_UDP]),
        tcp: z.array(hostPort).default([...DEFAULT_STUN_TCP]),
      })
      .strict()
      .default({ udp: [...DEFAULT_STUN_UDP], tcp: [...DEFAULT_STUN_TCP] }),
    keepalive: z
      .object({
        target: hostPort.default(DEFAULT_KEEPALIVE_TARGET),
        intervalSeconds: seconds(1, 3600).default(10),
      })
      .strict()
      .default({ target: DEFAULT_KEEPALIVE_TARGET, intervalSeconds: 10 }),
    geoip: z.object({ city: z.string().optional(), asn: z.string().optional() }).strict().default({}),
    /** A ban-list file (one CIDR per line, # comments), reloaded whenever it changes. */
    bans: z
      .object({ file: z.string().min(1).optional() })
      .strict()
      .default({}),
    connections: z
      .object({
        /** Closed connections kept (in memory and in SQLite) for listings and resolvePeer. */
        retention: z
          .object({
            maxRows: z
              .number({ error: `expected a number: 100-${MAX_CONNECTION_ROWS}` })
              .int({ error: "use a whole number" })
              .min(100, { error: `use 100-${MAX_CONNECTION_ROWS}` })
              .max(MAX_CONNECTION_ROWS, { error: `use 100-${MAX_CONNECTION_ROWS}` })
              .default(2000),
            maxAgeHours: z
              .number({ error: `expected a number: 1-${MAX_RETENTION_HOURS} hours` })
              .int({ error: "use a whole number of hours" })
              .min(1, { error: `use 1-${MAX_RETENTION_HOURS} hours` })
              .max(MAX_RETENTION_HOURS, { error: `use 1-${MAX_RETENTION_HOURS} hours` })
              .default(24),
          })
          .strict()
          .default({ maxRows: 2000, maxAgeHours: 24 }),
      })
      .strict()
      .default({ retention: { maxRows: 2000, maxAgeHours: 24 } }),
    plugins: z
      .object({
        dirs: z.array(z.string()).default(["./plugins"]),
        /** Per-plugin settings, keyed by the plugin's package name; handed to it as `context.config`. */
        config: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
      })
      .strict()
      .default({ dirs: ["./plugins"], config: {} }),
    /**
     * Map each open tunnel's port on a home router in front of this host (UPnP IGD or NAT-PMP). Off by
     * default: it talks to the router. "auto" uses a router when one answers and stays quiet otherwise;
     * true expects one and shows its absence as an error on the tunnel.
     */
    upnp: z
      .object({
        enabled: z
          .union([z.boolean(), z.literal("auto")], { error: 'expected true, false or "auto"' })
          .default(false),
        /** Lease asked for each mapping; renewed at half of what the router grants. */
        leaseSeconds: seconds(30, 604_800).default(3600),
        /** The router's UPnP device description URL, to skip discovery (e.g. "http://192.168.1.1:5000/rootDesc.xml"). */
        descriptionUrl: z
          .string()
          .refine((value) => /^http:\/\/[^/]+\//.test(value) && URL.canParse(value), {
            error:
              'expected the router\'s http:// description URL, e.g. "http://192.168.1.1:5000/rootDesc.xml"',
          })
          .optional(),
      })
      .strict()
      .default({ enabled: false, leaseSeconds: 3600 }),
    checks: z
      .object({
        /** Re-run the whole diagnosis this often; 0 turns the schedule off. */
        intervalSeconds: seconds(0, MAX_SCHEDULE_SECONDS, "off").default(900),
        /** Run one diagnosis when the daemon starts. */
        runOnStart: z.boolean().default(true),
      })
      .strict()
      .default({ intervalSeconds: 900, runOnStart: true }),
    /** How much one daemon takes on, so no caller can exhaust its descriptors or memory. */
    limits: z
      .object({
        /** Tunnels from the config file and saveTunnel together; each holds sockets, timers and a watch. */
        maxTunnels: z
          .number({ error: `expected a number: 1-${MAX_TUNNELS}` })
          .int({ error: (issue) => `${String(issue.input)} is not a whole number: use 1-${MAX_TUNNELS}` })
          .min(1, { error: (issue) => `${String(issue.input)} is out of range: use 1-${MAX_TUNNELS}` })
          .max(MAX_TUNNELS, {
            error: (issue) => `${String(issue.input)} is out of range: use 1-${MAX_TUNNELS}`,
          })
          .default(DEFAULT_MAX_TUNNELS),
      })
      .strict()
      .default({ maxTunnels: DEFAULT_MAX_TUNNELS }),
    tunnels: z
      .array(tunnelSchema)
      .default([])
      .superRefine((tunnels, context) => {
        const seen = new Set<string>();
        for (const [index, tunnel] of tunnels.entries()) {
          if (seen.has(tunnel.id))
            context.addIssue({
              code: "custom",
              path: [index, "id"],
              message: `"${tunnel.id}" is used by an earlier tunnel; every tunnel needs its own id`,
            });
          seen.add(tunnel.id);
        }
      }),
  })
  .strict()
  .superRefine((config, context) => commandReferenceProblems(config, context))
  .superRefine((config, context) => tunnelsProblems(config, context));

/** Rules across keys: the tunnel cap, and no target on the API's port or another tunnel's port. */
function tunnelsProblems(
  config: { api: { listen: string }; limits: { maxTunnels: number }; tunnels: TunnelConfig[] },
  context: z.RefinementCtx,
): void {
  const { tunnels } = config;
  const cap = config.limits.maxTunnels;
  if (tunnels.length > cap)
    context.addIssue({
      code: "custom",
      path: ["tunnels", cap],
      message: `${tunnels.length} tunnels are configured, but limits.maxTunnels is ${cap}: remove tunnels, or raise limits.maxTunnels (1-${MAX_TUNNELS})`,
    });
  const api = splitTarget(config.api.listen);
  for (const [index, tunnel] of tunnels.entries()) {
    const target = splitTarget(tunnel.target);
    if (!target) continue;
    const onThisHost = isThisHostText(target.host);
    if (
      api &&
      api.port !== 0 &&
      target.port === api.port &&
      (onThisHost || target.host.toLowerCase() === api.host.toLowerCase())
    ) {
      context.addIssue({
        code: "custom",
        path: ["tunnels", index, "target"],
        message: ownApiProblem(target.port, config.api.listen),
      });
      continue;
    }
    if (!onThisHost) continue;
    const owner = tunnels.find((other, at) => at !== index && other.localPort === target.port);
    if (owner)
      context.addIssue({
        code: "custom",
        path: ["tunnels", index, "target"],
        message: selfLoopProblem(target.port, owner.id),
      });
  }
}

export type AutostunConfig = z.output<typeof configSchema>;
export type AutostunConfigInput = z.input<typeof configSchema>;
