import type { NamedCommands, TunnelConfig } from "@autostun/config";

/**
 * The program a hook runs: its own argument list (only a config-file tunnel has one) or the file's
 * command it names. Undefined when the name is not (or no longer) in `commands`.
 */
export function hookArgv(
  hook: { command?: readonly string[] | undefined; commandName?: string | undefined },
  commands: NamedCommands | undefined,
): readonly string[] | undefined {
  if (hook.command) return hook.command;
  if (!hook.commandName) return undefined;
  return commands && Object.hasOwn(commands, hook.commandName) ? commands[hook.commandName] : undefined;
}

/**
 * Whether a tunnel must be built again because a command it names changed in a reloaded file: its own
 * config compares equal, since it holds only the name.
 */
export function namedCommandsChanged(
  tunnel: TunnelConfig,
  before: NamedCommands | undefined,
  after: NamedCommands | undefined,
): boolean {
  const names = [tunnel.hooks?.commandName, tunnel.downloader?.restartHook?.commandName];
  return names.some(
    (name) => name !== undefined && JSON.stringify(before?.[name]) !== JSON.stringify(after?.[name]),
  );
}
