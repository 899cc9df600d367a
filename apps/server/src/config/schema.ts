import { z } from "zod";
import {
  DEFAULT_API_LISTEN,
  DEFAULT_KEEPALIVE_TARGET,
  DEFAULT_STUN_TCP,
  DEFAULT_STUN_UDP,
} from "./defaults.js";
import { MAX_SCHEDULE_SECONDS } from "./limits.js";

const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'expected "host:port", e.g. "127.0.0.1:6881"')
  // Only judge the port when the shape matched, so one mistake gives one message.
  .refine((value) => {
    const port = Number(value.slice(value.lastIndexOf(":") + 1));
    return Number.isNaN(port) || port <= 65535;
  }, "port must be 0-65535");

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

const downloader = z
  .object({
    kind: z.enum(["qbittorrent", "transmission", "aria2", "deluge"]),
    url: z.string().url(),
    username: z.string().default(""),
    password: z.string().default(""),
  })
  .strict();

const tunnel = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "letters, digits, '.', '_' or '-', at most 64"),
    localPort: z.number().int().min(0).max(65535).default(0),
    target: hostPort,
    forward: z.enum(["userspace", "nftables"]).default("userspace"),
    downloader: downloader.optional(),
  })
  .strict();

/** The whole config file. Every key is optional; the defaults make `npm start` work with no file. */
export const configSchema = z
  .object({
    api: z
      .object({
        listen: hostPort.default(DEFAULT_API_LISTEN),
        token: z.string().min(16, "use at least 16 characters").optional(),
      })
      .strict()
      .default({ listen: DEFAULT_API_LISTEN }),
    dataDir: z.string().min(1).default("./data"),
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
    plugins: z
      .object({
        dirs: z.array(z.string()).default(["./plugins"]),
        /** Per-plugin settings, keyed by the plugin's package name; handed to it as `context.config`. */
        config: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
      })
      .strict()
      .default({ dirs: ["./plugins"], config: {} }),
    checks: z
      .object({
        /** Re-run the whole diagnosis this often; 0 turns the schedule off. */
        intervalSeconds: seconds(0, MAX_SCHEDULE_SECONDS, "off").default(900),
        /** Run one diagnosis when the daemon starts. */
        runOnStart: z.boolean().default(true),
      })
      .strict()
      .default({ intervalSeconds: 900, runOnStart: true }),
    tunnels: z.array(tunnel).default([]),
  })
  .strict();

export type AutostunConfig = z.output<typeof configSchema>;
export type AutostunConfigInput = z.input<typeof configSchema>;
