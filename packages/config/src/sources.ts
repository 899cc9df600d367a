import { readFileSync } from "node:fs";
import { isMap, isSeq, LineCounter, parseDocument } from "yaml";
import { type ConfigProblem, formatKey } from "./errors.js";
import { unsafeYaml } from "./yaml-guards.js";

export type Plain = { [key: string]: unknown };

/** A layer of config with a way to tell where a key came from. */
export interface ConfigLayer {
  values: Plain;
  /** Where `path` was set in this layer, or undefined when this layer does not set it. */
  locate(path: readonly PropertyKey[]): string | undefined;
}

/**
 * Reads a YAML file; syntax errors, unsafe tags and alias bombs become problems with the file and line.
 * Bytes that are not UTF-8 are kept as U+FFFD here, so {@link notUtf8} can name the key that holds them.
 */
export function fileLayer(file: string): { layer?: ConfigLayer; problems: ConfigProblem[] } {
  let text: string;
  try {
    text = new TextDecoder("utf-8").decode(readFileSync(file));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : String(error);
    return { problems: [{ key: "(file)", source: file, message: reason }] };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((error) => ({
        key: "(syntax)",
        source: `${file}:${lines.linePos(error.pos[0]).line}`,
        message: error.message.split("\n")[0] ?? error.message,
      })),
    };
  }
  const unsafe = unsafeYaml(doc, file, lines);
  if (unsafe.length > 0) return { problems: unsafe };
  let values: unknown;
  try {
    values = doc.toJS() ?? {};
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { problems: [{ key: "(file)", source: file, message: message.split("\n")[0] ?? message }] };
  }
  if (typeof values !== "object" || Array.isArray(values)) {
    return {
      problems: [{ key: "(root)", source: `${file}:1`, message: "the file must hold a mapping of keys" }],
    };
  }
  return {
    problems: [],
    layer: {
      values: values as Plain,
      locate(path) {
        // Walk up to the deepest node that exists, so a missing child points at its parent's line.
        for (let depth = path.length; depth >= 0; depth--) {
          const node = doc.getIn(path.slice(0, depth), true) as
            | { range?: [number, number, number] }
            | undefined;
          if (node && (node.range || isMap(node) || isSeq(node))) {
            const offset = node.range?.[0];
            if (offset !== undefined) return `${file}:${lines.linePos(offset).line}`;
          }
        }
        return undefined;
      },
    },
  };
}

interface EnvKey {
  variable: string;
  path: string[];
  kind: "string" | "list" | "number" | "boolean";
}

/** The environment variables AutoSTUN reads; lists are comma-separated. */
export const ENV_KEYS: readonly EnvKey[] = [
  { variable: "AUTOSTUN_API_LISTEN", path: ["api", "listen"], kind: "string" },
  { variable: "AUTOSTUN_API_TOKEN", path: ["api", "token"], kind: "string" },
  { variable: "AUTOSTUN_DATA_DIR", path: ["dataDir"], kind: "string" },
  { variable: "AUTOSTUN_LOCALE", path: ["locale"], kind: "string" },
  { variable: "AUTOSTUN_LOG_LEVEL", path: ["log", "level"], kind: "string" },
  { variable: "AUTOSTUN_STUN_UDP", path: ["stun", "udp"], kind: "list" },
  { variable: "AUTOSTUN_STUN_TCP", path: ["stun", "tcp"], kind: "list" },
  { variable: "AUTOSTUN_KEEPALIVE_TARGET", path: ["keepalive", "target"], kind: "string" },
  { variable: "AUTOSTUN_KEEPALIVE_INTERVAL_SECONDS", path: ["keepalive", "intervalSeconds"], kind: "number" },
  { variable: "AUTOSTUN_PLUGINS_DIRS", path: ["plugins", "dirs"], kind: "list" },
  { variable: "AUTOSTUN_CHECKS_INTERVAL_SECONDS", path: ["checks", "intervalSeconds"], kind: "number" },
  { variable: "AUTOSTUN_CHECKS_RUN_ON_START", path: ["checks", "runOnStart"], kind: "boolean" },
];

function convert(raw: string, kind: EnvKey["kind"]): unknown {
  switch (kind) {
    case "list":
      return raw.trim() === "" ? [] : raw.split(",").map((item) => item.trim());
    case "number":
      return raw.trim() === "" ? Number.NaN : Number(raw);
    case "boolean":
      return raw === "true" || raw === "1" ? true : raw === "false" || raw === "0" ? false : raw;
    default:
      return raw;
  }
}

function setIn(target: Plain, path: readonly string[], value: unknown): void {
  let cursor = target;
  for (const [index, part] of path.entries()) {
    if (index === path.length - 1) {
      cursor[part] = value;
    } else {
      cursor[part] ??= {};
      cursor = cursor[part] as Plain;
    }
  }
}

/** A layer from a flat list of (path, value, label) settings, used for env variables and CLI flags. */
export function settingsLayer(settings: { path: string[]; value: unknown; label: string }[]): ConfigLayer {
  const values: Plain = {};
  const labels = new Map<string, string>();
  for (const setting of settings) {
    setIn(values, setting.path, setting.value);
    labels.set(setting.path.join("."), setting.label);
  }
  return {
    values,
    locate(path) {
      const key = formatKey(path);
      for (const [prefix, label] of labels) if (key === prefix || key.startsWith(`${prefix}.`)) return label;
      for (const [prefix, label] of labels) if (key.startsWith(`${prefix}[`)) return label;
      return undefined;
    },
  };
}

export function envLayer(env: NodeJS.ProcessEnv): ConfigLayer {
  return settingsLayer(
    ENV_KEYS.filter((key) => env[key.variable] !== undefined).map((key) => ({
      path: key.path,
      value: convert(env[key.variable] as string, key.kind),
      label: `env ${key.variable}`,
    })),
  );
}

/** Deep merge where later layers win; arrays are replaced, not concatenated. */
export function mergeLayers(layers: readonly Plain[]): Plain {
  const out: Plain = {};
  for (const layer of layers) mergeInto(out, layer);
  return out;
}

function mergeInto(target: Plain, source: Plain): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isPlain(value) && isPlain(existing)) mergeInto(existing, value);
    else target[key] = isPlain(value) ? mergeLayers([value]) : value;
  }
}

function isPlain(value: unknown): value is Plain {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Where a key or text value holds U+FFFD, the mark a decoder leaves for bytes that are not UTF-8: from a
 * file saved in another encoding, or an environment variable or argument in one. Taken as a path, it
 * would become a folder named "���".
 */
export function notUtf8(values: unknown, path: PropertyKey[] = []): PropertyKey[][] {
  if (typeof values === "string") return values.includes("\uFFFD") ? [path] : [];
  if (Array.isArray(values)) return values.flatMap((item, index) => notUtf8(item, [...path, index]));
  if (!isPlain(values)) return [];
  return Object.entries(values).flatMap(([key, inner]) =>
    key.includes("\uFFFD") ? [[...path, key]] : notUtf8(inner, [...path, key]),
  );
}
