import { z } from "zod";

/** The most named commands the file may hold; a hand-written list never needs more. */
export const MAX_NAMED_COMMANDS = 64;

const NAME_RULE = "a command name: letters, digits, '.', '_' or '-', at most 64";

/** The name a tunnel uses to pick one of the file's `commands`. */
export const commandName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, NAME_RULE);

/** A program and its arguments, run without a shell so no address or port can be read as shell syntax. */
export const argv = z
  .array(z.string().min(1, "an argument may not be empty"), {
    error: 'expected a list: the program, then its arguments, e.g. ["/usr/local/bin/on-port", "--quiet"]',
  })
  .min(1, 'give at least the program, e.g. ["/usr/local/bin/on-port"]')
  .max(64, "at most 64 arguments");

/**
 * `commands:` in the config file: programs the admin allows, by name. The daemon runs hooks with its
 * own rights (root for nftables), so a program to run comes only from this file; a tunnel saved through
 * the API picks one by name (`hooks.commandName`, `downloader.restartHook.commandName`).
 */
export const commandsSchema = z
  .record(commandName, argv)
  .refine((commands) => Object.keys(commands).length <= MAX_NAMED_COMMANDS, {
    error: `at most ${MAX_NAMED_COMMANDS} named commands`,
  })
  .default({});

export type NamedCommands = Readonly<Record<string, readonly string[]>>;

/** The names of commands a tunnel refers to, with where each reference sits in the tunnel. */
export function commandReferences(tunnel: {
  hooks?: { commandName?: string | undefined } | undefined;
  downloader?: { restartHook?: { commandName?: string | undefined } | undefined } | undefined;
}): { path: string[]; name: string }[] {
  const found: { path: string[]; name: string }[] = [];
  const hook = tunnel.hooks?.commandName;
  if (hook) found.push({ path: ["hooks", "commandName"], name: hook });
  const restart = tunnel.downloader?.restartHook?.commandName;
  if (restart) found.push({ path: ["downloader", "restartHook", "commandName"], name: restart });
  return found;
}

/** Why `name` names nothing in `commands`, in words that say where to add it. */
export function unknownCommandProblem(name: string, commands: NamedCommands): string {
  const known = Object.keys(commands);
  return `no command named "${name}" in the config file's commands (${
    known.length ? `it names ${known.join(", ")}` : "it names none"
  }): add it there, e.g. commands: { ${name}: ["/usr/local/bin/${name}"] }, or pick one of those`;
}

/** Every reference of a tunnel of the file that names no command of the file, as schema issues. */
export function commandReferenceProblems(
  config: { commands: NamedCommands; tunnels: readonly Parameters<typeof commandReferences>[0][] },
  context: z.RefinementCtx,
): void {
  for (const [index, tunnel] of config.tunnels.entries())
    for (const { path, name } of commandReferences(tunnel))
      if (!Object.hasOwn(config.commands, name))
        context.addIssue({
          code: "custom",
          path: ["tunnels", index, ...path],
          message: unknownCommandProblem(name, config.commands),
        });
}
