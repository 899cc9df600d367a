import { redactUrlsIn } from "@autostun/downloaders";
import type { Logger } from "@autostun/plugins-api";
import { type DestinationStream, pino } from "pino";

/** The levels `log.level` accepts; `silent` writes nothing. */
export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "silent";

/** What a field's value is replaced by when its key names a secret. */
export const REDACTED_FIELD = "[redacted]";

/** Keys whose value is a credential wherever they appear in a line's fields. */
const SECRET_KEY = /token|password|passwd|secret|authorization|cookie|api[-_]?key/i;

/** How deep redaction follows nested fields; deeper values (and cycles) are cut off. */
const MAX_DEPTH = 8;

/**
 * The one redaction of everything the daemon and its plugins log: a value under a key named like a
 * secret (`token`, `password`, `authorization`, `cookie`, `apiKey`…, at any depth) becomes `[redacted]`,
 * and every URL in any string (an error's message and stack too) loses its `user:password@` and the
 * values of its secret-looking query parameters, since libraries and adapters put the whole URL they were
 * given into their errors. Errors become `{ type, message, stack, … }`. Returns a copy; the input stays.
 */
export function redactLogValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactUrlsIn(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return "[too deep]";
  if (value instanceof Error) return redactLogValue(pino.stdSerializers.err(value), depth + 1);
  if (Array.isArray(value)) return value.map((item) => redactLogValue(item, depth + 1));
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  // A URL object or a Date is written as its JSON form: redact that form, not its (empty) own keys.
  if (typeof toJSON === "function") return redactLogValue(toJSON.call(value), depth + 1);
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] =
      SECRET_KEY.test(key) && inner !== undefined && inner !== ""
        ? REDACTED_FIELD
        : redactLogValue(inner, depth + 1);
  }
  return out;
}

/** Bindings a scoped logger writes on each of its lines, e.g. `{ module: "relay", tunnel: "t1" }`. */
export type LogBindings = Record<string, string | number | boolean>;

/**
 * The daemon's logger: the plugin API's {@link Logger} (message first, then fields), plus scoping. Every
 * part of the daemon and every plugin logs through this shape; what backs it is the root logger's business.
 */
export interface ScopedLogger extends Logger {
  /**
   * A logger whose lines also carry `bindings`. A key bound here and passed again in a call's fields is
   * written once, with the bound value.
   */
  child(bindings: LogBindings): ScopedLogger;
}

/** The logger the daemon makes once at start; reloading the config changes its level in place. */
export interface RootLogger extends ScopedLogger {
  /** The level in effect for this logger and every logger scoped from it. */
  readonly level: LogLevel;
  /** Changes the level of this logger and of every logger scoped from it, the ones made earlier too. */
  setLevel(level: LogLevel): void;
}

type WriteLevel = "debug" | "info" | "warn" | "error";

/**
 * The daemon's structured logger: one JSON line per call on stderr (or `destination`),
 * `{"level":30,"time":…,<bindings>,<fields>,"msg":"…"}`, every line passed through {@link redactLogValue}.
 */
export function createRootLogger(level: LogLevel, destination?: DestinationStream): RootLogger {
  // pino is only the line writer: scoping, redaction and error serializing happen here, once.
  const lines = pino(
    { level, base: undefined, serializers: { err: (value: unknown) => value } },
    destination ?? pino.destination(2),
  );

  const scoped = (bindings: LogBindings): ScopedLogger => {
    const write = (method: WriteLevel) => (message: string, fields?: Record<string, unknown>) => {
      if (!lines.isLevelEnabled(method)) return;
      const merged: Record<string, unknown> = { ...bindings };
      if (fields)
        for (const [key, value] of Object.entries(fields))
          if (!Object.hasOwn(bindings, key)) merged[key] = value;
      lines[method](redactLogValue(merged) as object, redactUrlsIn(message));
    };
    return {
      debug: write("debug"),
      info: write("info"),
      warn: write("warn"),
      error: write("error"),
      child: (more) => scoped({ ...bindings, ...more }),
    };
  };

  const root = scoped({});
  return {
    ...root,
    get level() {
      return lines.level as LogLevel;
    },
    setLevel(next: LogLevel) {
      lines.level = next;
    },
  };
}
