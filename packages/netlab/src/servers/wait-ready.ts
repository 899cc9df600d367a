import type { ChildProcess } from "node:child_process";
import { setTimeout as delay } from "node:timers/promises";
import type { ExecResult } from "../lab/types.js";

/** Sockets a server must have open before the lab hands it out. */
export interface ExpectedListeners {
  udp: readonly string[];
  tcp: readonly string[];
}

type Exec = (file: string, args: readonly string[]) => Promise<ExecResult>;

/** Local "ip:port" of every listening UDP/TCP socket in `ss -Hlntu` output, per protocol. */
export function parseListeners(ssOutput: string): { udp: Set<string>; tcp: Set<string> } {
  const udp = new Set<string>();
  const tcp = new Set<string>();
  for (const line of ssOutput.split("\n")) {
    const cols = line.trim().split(/\s+/);
    const [netid, , , , local] = cols;
    if (!local) continue;
    if (netid === "udp") udp.add(local);
    else if (netid === "tcp") tcp.add(local);
  }
  return { udp, tcp };
}

function isListening(have: Set<string>, want: string): boolean {
  const port = want.slice(want.lastIndexOf(":") + 1);
  return have.has(want) || have.has(`0.0.0.0:${port}`) || have.has(`*:${port}`);
}

/** Who is expected to open the sockets, for early failure and error messages. */
export interface ListenerOwner {
  /** Name used in errors, e.g. "the STUN server". */
  name: string;
  /** When this process dies first, waiting stops at once. */
  child?: ChildProcess;
  /** The owner's own account of itself (log tail). */
  describe?: () => Promise<string>;
}

/**
 * Poll `ss` inside the namespace until every expected socket is open. Fails early, with
 * the owner's own words, when its process dies first.
 */
export async function waitForListeners(
  exec: Exec,
  expected: ExpectedListeners,
  owner: ListenerOwner,
  // A server started through tsx can take seconds on a loaded machine; this only bounds a real failure.
  timeoutMs = 30_000,
): Promise<void> {
  const describe = owner.describe ?? (async () => "");
  const deadline = Date.now() + timeoutMs;
  let missing: string[] = [];
  for (let attempt = 0; ; attempt++) {
    const child = owner.child;
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(
        `netlab: ${owner.name} exited (${child.exitCode ?? child.signalCode}) before it listened.\n${await describe()}`,
      );
    }
    const ss = await exec("ss", ["-Hlntu"]);
    const have = parseListeners(ss.stdout);
    missing = [
      ...expected.udp.filter((a) => !isListening(have.udp, a)).map((a) => `udp ${a}`),
      ...expected.tcp.filter((a) => !isListening(have.tcp, a)).map((a) => `tcp ${a}`),
    ];
    if (missing.length === 0) return;
    if (Date.now() > deadline) break;
    await delay(Math.min(5 * 2 ** attempt, 50));
  }
  throw new Error(
    `netlab: ${owner.name} did not open ${missing.join(", ")} within ${timeoutMs} ms.\n${await describe()}`,
  );
}
