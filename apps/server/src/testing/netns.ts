import { execFileSync } from "node:child_process";

/**
 * A network namespace with nothing but loopback, so a daemon on its embedded defaults (public STUN
 * servers included) can run in a test without sending a packet anywhere else.
 */
export function loopbackOnlyNamespace(): { name: string; dispose(): void } {
  if (process.getuid?.() !== 0)
    throw new Error("this test needs root to create a network namespace (CI runs as root)");
  const name = `autostun-t${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  execFileSync("ip", ["netns", "add", name]);
  execFileSync("ip", ["-n", name, "link", "set", "lo", "up"]);
  return {
    name,
    dispose() {
      try {
        execFileSync("ip", ["netns", "pids", name])
          .toString()
          .split(/\s+/)
          .filter(Boolean)
          .forEach((pid) => {
            try {
              process.kill(Number(pid), "SIGKILL");
            } catch {
              // already gone
            }
          });
        execFileSync("ip", ["netns", "del", name]);
      } catch {
        // deleting twice is fine
      }
    },
  };
}
