import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { LaunchedServer, ServerPlan } from "./coturn.js";

type Spawn = (file: string, args: readonly string[]) => ChildProcess;

const ENTRY = fileURLToPath(new URL("./stun-server-main.ts", import.meta.url));

/** URL of tsx's loader, so the server starts whatever the working directory. */
function tsxLoader(): string {
  return import.meta.resolve("tsx");
}

/** Our own RFC 5780 server from @autostun/stun, run under node + tsx in the WAN namespace. */
export function launchOurs(spawn: Spawn, plan: ServerPlan): LaunchedServer {
  const args = [
    "--import",
    tsxLoader(),
    ENTRY,
    "--primary",
    plan.primary,
    "--alternate",
    plan.alternate,
    "--port",
    String(plan.port),
    "--alt-port",
    String(plan.altPort),
  ];
  const child = spawn(process.execPath, args);
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const all = [plan.primary, plan.alternate].flatMap((ip) => [`${ip}:${plan.port}`, `${ip}:${plan.altPort}`]);
  return {
    child,
    expected: { udp: all, tcp: all },
    describe: async () => `our STUN server (${ENTRY}) said:\n${output || "(nothing)"}`,
  };
}
