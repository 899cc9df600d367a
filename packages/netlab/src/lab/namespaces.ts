import { run, runSyncQuiet } from "../util/run.js";

/** Names of every network namespace `ip netns` knows. */
export async function listNamespaces(): Promise<string[]> {
  const result = await run("ip", ["netns", "list"]);
  return parseNetnsList(result.stdout);
}

/** `ip netns list` prints "name (id: N)" or just "name", one a line. */
export function parseNetnsList(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim().split(/\s+/)[0] ?? "")
    .filter((name) => name.length > 0);
}

/** Pids of every process living in a namespace. */
export async function namespacePids(ns: string): Promise<number[]> {
  const result = await run("ip", ["netns", "pids", ns]);
  return parsePids(result.stdout);
}

function parsePids(text: string): number[] {
  return text
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone: that is what we wanted.
  }
}

/**
 * Kill what still runs in the namespaces, then delete them. SIGKILL because by now the
 * polite SIGTERM to our own children has been sent and anything left is a straggler.
 */
export async function destroyNamespaces(names: readonly string[]): Promise<void> {
  await Promise.all(
    names.map(async (ns) => {
      for (const pid of await namespacePids(ns)) killQuietly(pid, "SIGKILL");
    }),
  );
  await Promise.all(names.map((ns) => run("ip", ["netns", "del", ns])));
}

/** Same as {@link destroyNamespaces} for exit handlers, where only synchronous work runs. */
export function destroyNamespacesSync(names: readonly string[]): void {
  for (const ns of names) {
    for (const pid of parsePids(runSyncQuiet("ip", ["netns", "pids", ns]))) killQuietly(pid, "SIGKILL");
  }
  for (const ns of names) runSyncQuiet("ip", ["netns", "del", ns]);
}
