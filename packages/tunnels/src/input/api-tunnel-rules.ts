import type { TunnelConfig } from "@autostun/config";
import { commandReferences, formatKey, type NamedCommands, unknownCommandProblem } from "@autostun/config";
import { reservedSecretHeader } from "@autostun/downloaders";
import type { TunnelProblem } from "./tunnel-problem.js";

/** The keys where a tunnel could carry a program of its own, and what to write instead. */
const RAW_COMMANDS = [
  { path: ["hooks", "command"], instead: "hooks.commandName" },
  { path: ["downloader", "restartHook", "command"], instead: "downloader.restartHook.commandName" },
] as const;

function at(value: unknown, path: readonly string[]): unknown {
  let here = value;
  for (const part of path) {
    if (here === null || typeof here !== "object") return undefined;
    here = (here as Record<string, unknown>)[part];
  }
  return here;
}

const key = (path: readonly (string | number)[]) => formatKey(["tunnel", ...path]);

/**
 * What a tunnel from the API may not carry, found in its raw input so the answer names the key even when
 * the rest of the input is wrong too. The daemon runs hooks with its own rights (root for nftables), so
 * any caller of the API could otherwise run anything as root.
 */
export function rawCommandProblems(input: unknown): TunnelProblem[] {
  return RAW_COMMANDS.filter(({ path }) => at(input, path) != null).map(({ path, instead }) => ({
    key: key(path),
    message: `a program to run is accepted only from the config file, since AutoSTUN runs it with its own rights: add it to commands: in the file (e.g. commands: { on-port: ["/usr/local/bin/on-port"] }) and give its name here in ${instead}`,
  }));
}

/** Rules of the API beyond the schema, on a tunnel the schema accepted: names that exist, safe headers. */
export function apiTunnelProblems(tunnel: TunnelConfig, commands: NamedCommands): TunnelProblem[] {
  const problems: TunnelProblem[] = [];
  for (const { path, name } of commandReferences(tunnel))
    if (!Object.hasOwn(commands, name))
      problems.push({ key: key(path), message: unknownCommandProblem(name, commands) });
  const header = tunnel.hooks?.webhook?.secretHeader;
  const why = header ? reservedSecretHeader(header) : undefined;
  if (header && why)
    problems.push({
      key: key(["hooks", "webhook", "secretHeader"]),
      message: `${header} cannot carry the webhook secret when set through the API: it ${why}. Use a header of your own such as X-AutoSTUN-Secret, or set it in the config file`,
    });
  return problems;
}

/**
 * A tunnel an older version saved through the API, made fit for today's rules: a program of its own,
 * a command name the file no longer has, and a reserved secret header are taken out (the tunnel runs
 * without them). Returns the tunnel and the keys taken out, for the warning.
 */
export function withoutApiRefusals(
  raw: unknown,
  commands: NamedCommands,
): { tunnel: unknown; removed: string[] } {
  if (raw === null || typeof raw !== "object") return { tunnel: raw, removed: [] };
  const tunnel = structuredClone(raw) as {
    hooks?: { command?: unknown; commandName?: unknown; webhook?: { secretHeader?: unknown } };
    downloader?: { restartHook?: { command?: unknown; commandName?: unknown } };
  };
  const removed: string[] = [];
  const hooks = tunnel.hooks;
  if (hooks && typeof hooks === "object") {
    if (hooks.command != null) {
      delete hooks.command;
      removed.push("hooks.command");
    }
    if (typeof hooks.commandName === "string" && !Object.hasOwn(commands, hooks.commandName)) {
      removed.push(`hooks.commandName (${hooks.commandName})`);
      delete hooks.commandName;
    }
    const header = hooks.webhook?.secretHeader;
    if (typeof header === "string" && reservedSecretHeader(header)) {
      removed.push(`hooks.webhook.secretHeader (${header})`);
      delete hooks.webhook?.secretHeader;
    }
  }
  const downloader = tunnel.downloader;
  const restart = downloader?.restartHook;
  if (downloader && restart && typeof restart === "object") {
    if (restart.command != null) {
      delete restart.command;
      removed.push("downloader.restartHook.command");
    }
    if (typeof restart.commandName === "string" && !Object.hasOwn(commands, restart.commandName)) {
      removed.push(`downloader.restartHook.commandName (${restart.commandName})`);
      delete restart.commandName;
    }
    if (restart.commandName == null) delete downloader.restartHook;
  }
  return { tunnel, removed };
}
