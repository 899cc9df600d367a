import type { CommandRunner, HostInfo, SystemFiles } from "@autostun/plugins-api";

/** Names of running processes: /proc/<pid>/comm on Linux, `ps -axco comm` on macOS. */
export async function runningProcessNames(
  platform: HostInfo["platform"],
  files: SystemFiles,
  runner: CommandRunner,
  signal: AbortSignal,
): Promise<{ names: string[]; source: string }> {
  if (platform === "darwin") {
    const result = await runner.run("ps", ["-axco", "comm="], { signal, timeoutMs: 5_000 });
    const names = result.exitCode === 0 ? result.stdout.split("\n").map((l) => l.trim()) : [];
    return { names: unique(names), source: "ps -axco comm=" };
  }
  const pids = (await files.list("/proc")).filter((entry) => /^\d+$/.test(entry));
  const names = await Promise.all(
    pids.map(async (pid) => (await files.readText(`/proc/${pid}/comm`))?.trim() ?? ""),
  );
  return { names: unique(names), source: "/proc/*/comm" };
}

function unique(names: string[]): string[] {
  return [...new Set(names.filter((n) => n.length > 0))].sort();
}
