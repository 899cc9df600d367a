/** One problem in the config: the key, where it was set, and what is wrong with it. */
export interface ConfigProblem {
  /** Dotted key, e.g. `api.listen` or `tunnels[0].target`. */
  key: string;
  /** `path/to/autostun.yaml:12`, `env AUTOSTUN_API_LISTEN`, `flag --listen`, or `defaults`. */
  source: string;
  message: string;
}

/** Thrown when the config cannot be used; the CLI prints it and exits 2. */
export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `invalid configuration:\n${problems.map((p) => `  - ${p.key} (${p.source}): ${p.message}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

export function formatKey(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || "(root)";
}
