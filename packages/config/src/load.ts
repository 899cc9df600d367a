import { isAbsolute, resolve } from "node:path";
import { ConfigError, type ConfigProblem, formatKey } from "./errors.js";
import { type AutostunConfig, configSchema } from "./schema.js";
import { schemaProblems } from "./schema-problems.js";
import { type ConfigLayer, envLayer, fileLayer, mergeLayers, notUtf8, settingsLayer } from "./sources.js";

export interface LoadConfigOptions {
  /** YAML file; omitted means embedded defaults plus env and flags. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Settings from CLI flags, already mapped to config paths. */
  flags?: { path: string[]; value: unknown; label: string }[];
  /** Relative paths in the config (dataDir, plugin dirs) resolve against this; default: the file's folder or cwd. */
  baseDir?: string;
}

export interface LoadedConfig {
  config: AutostunConfig;
  /** The file it came from, if any. */
  file?: string;
}

/** The last layer that sets `keyPath` (later layers win), as "file:line", "env X", "flag --x" or "defaults". */
function locate(layers: readonly ConfigLayer[], keyPath: readonly PropertyKey[]): string {
  for (const layer of [...layers].reverse()) {
    const found = layer.locate(keyPath);
    if (found) return found;
  }
  return "defaults";
}

/**
 * Loads config from file, then `AUTOSTUN_*` env, then flags, and validates the result. Every problem names
 * the key and where it was set (file and line, variable, or flag). Throws {@link ConfigError}; never writes.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const layers: ConfigLayer[] = [];
  const file = options.file ? resolve(options.file) : undefined;
  if (file) {
    const { layer, problems } = fileLayer(file);
    if (!layer) throw new ConfigError(problems);
    layers.push(layer);
  }
  layers.push(envLayer(options.env ?? process.env));
  if (options.flags?.length) layers.push(settingsLayer(options.flags));

  const merged = mergeLayers(layers.map((layer) => layer.values));
  const garbled = notUtf8(merged);
  if (garbled.length > 0) {
    throw new ConfigError(
      garbled.map((keyPath) => ({
        key: formatKey(keyPath),
        source: locate(layers, keyPath),
        message:
          'holds bytes that are not valid UTF-8 (they would show as "\uFFFD"); save the file as UTF-8 or correct the value',
      })),
    );
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const problems: ConfigProblem[] = schemaProblems(parsed.error).map(({ path, message }) => ({
      key: formatKey(path),
      source: locate(layers, path),
      message,
    }));
    throw new ConfigError(problems);
  }
  const base = options.baseDir ?? (file ? resolve(file, "..") : process.cwd());
  const config = parsed.data;
  const absolute = (path: string) => (isAbsolute(path) ? path : resolve(base, path));
  config.dataDir = absolute(config.dataDir);
  config.plugins.dirs = config.plugins.dirs.map(absolute);
  if (config.bans.file) config.bans.file = absolute(config.bans.file);
  if (config.geoip.city) config.geoip.city = absolute(config.geoip.city);
  if (config.geoip.asn) config.geoip.asn = absolute(config.geoip.asn);
  return file ? { config, file } : { config };
}
