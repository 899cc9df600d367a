import { redactUrlsIn } from "@autostun/downloaders";
import type { Logger } from "@autostun/plugins-api";
import { type DestinationStream, type Logger as PinoLogger, pino } from "pino";

const SECRET_KEY = /token|password|passwd|secret|authorization|cookie|api[-_]?key/i;

/** Replaces values under secret-looking keys at any depth, so a plugin cannot log a password by accident. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] =
      SECRET_KEY.test(key) && inner !== undefined && inner !== ""
        ? "[redacted]"
        : redactSecrets(inner, depth + 1);
  }
  return out;
}

/**
 * Every URL in a log value or message with its secrets taken out (`user:pass@`, `?apikey=…`): libraries
 * and adapters write the whole URL they were given into their errors, whatever key it ends up under.
 */
export function redactUrlsDeep(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactUrlsIn(value);
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => redactUrlsDeep(item, depth + 1));
  if (value instanceof Error) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key] = redactUrlsDeep(inner, depth + 1);
  return out;
}

export type RootLogger = PinoLogger;

/** The daemon's structured logger: JSON lines on stderr, secrets redacted. */
export function createRootLogger(level: string, destination?: DestinationStream): RootLogger {
  return pino(
    {
      level,
      base: undefined,
      formatters: { log: (object) => redactUrlsDeep(object) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((arg) => (typeof arg === "string" ? redactUrlsIn(arg) : arg)) as Parameters<
              typeof method
            >,
          );
        },
      },
      redact: {
        paths: [
          "token",
          "password",
          "apiKey",
          "authorization",
          "*.token",
          "*.password",
          "*.apiKey",
          "*.authorization",
        ],
        censor: "[redacted]",
      },
    },
    destination ?? pino.destination(2),
  );
}

/** Adapts the root logger to the plugin API's Logger, tagging every line with its source. */
export function scopedLogger(root: RootLogger, bindings: Record<string, string>): Logger {
  const child = root.child(bindings);
  // pino writes a key once per source, so a field the child already binds would appear twice in the line.
  const unbound = (fields: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(fields).filter(([key]) => !Object.hasOwn(bindings, key)));
  const write =
    (level: "debug" | "info" | "warn" | "error") => (message: string, fields?: Record<string, unknown>) =>
      fields ? child[level](redactSecrets(unbound(fields)) as object, message) : child[level](message);
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}
