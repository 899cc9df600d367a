import type { ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ExpectedListeners } from "./wait-ready.js";

/** What a server launcher needs from the lab. */
export interface ServerPlan {
  primary: string;
  alternate: string;
  port: number;
  altPort: number;
  /** A folder for the server's files (log, pid), removed with the lab. */
  dir: string;
}

/** A server started in the WAN namespace. */
export interface LaunchedServer {
  child: ChildProcess;
  expected: ExpectedListeners;
  /** The server's own account of itself, for error messages. */
  describe(): Promise<string>;
}

type Spawn = (file: string, args: readonly string[]) => ChildProcess;

/**
 * coturn as a plain STUN server (no TURN, no TLS, no CLI, no config file) on both WAN
 * addresses and both ports, so it answers RFC 3489 CHANGE-REQUEST tests.
 */
export function launchCoturn(spawn: Spawn, plan: ServerPlan): LaunchedServer {
  const log = join(plan.dir, "coturn.log");
  const args = [
    "-n",
    "-S",
    "--no-cli",
    "--no-tls",
    "--no-dtls",
    "-L",
    plan.primary,
    "-L",
    plan.alternate,
    "--listening-port",
    String(plan.port),
    "--alt-listening-port",
    String(plan.altPort),
    "--log-file",
    log,
    "--simple-log",
    "--no-stdout-log",
    "--pidfile",
    join(plan.dir, "coturn.pid"),
    // Its own user database, so parallel labs never share (or lock) the system one.
    "--db",
    join(plan.dir, "coturn.sqlite"),
  ];
  const child = spawn("turnserver", args);
  let output = "";
  // Drained so a chatty server never blocks on a full pipe; the tail goes into errors.
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const both = [plan.primary, plan.alternate].flatMap((ip) => [
    `${ip}:${plan.port}`,
    `${ip}:${plan.altPort}`,
  ]);
  return {
    child,
    expected: { udp: both, tcp: both },
    describe: async () => {
      const text = await readFile(log, "utf8").catch(() => "(no log written)");
      return `coturn log ${log}:\n${text.split("\n").slice(-20).join("\n")}\n${output}`;
    },
  };
}
