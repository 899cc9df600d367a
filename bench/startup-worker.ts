/**
 * Runs inside a fresh network namespace (only loopback), started by startup.ts: execs one daemon entry with
 * the embedded defaults, times exec -> first GraphQL answer, waits for the daemon to settle, reads its RSS,
 * stops it and prints one JSON line. Arguments: <entry .mjs> <data dir> <settle ms>.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const [entry, dataDir, settle] = process.argv.slice(2);
if (!entry || !dataDir || !settle) throw new Error("usage: startup-worker <entry> <data dir> <settle ms>");

function rssMiB(pid: number): number {
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  return kb / 1024;
}

/** True once the API answers a real, authorised query (the token file is written during start). */
async function answers(): Promise<boolean> {
  const tokenFile = join(dataDir as string, "api-token");
  if (!existsSync(tokenFile)) return false;
  try {
    const response = await fetch("http://127.0.0.1:7878/graphql", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${readFileSync(tokenFile, "utf8").trim()}`,
      },
      body: JSON.stringify({ query: "{ checks { id } }" }),
    });
    const body = (await response.json()) as { data?: { checks?: unknown[] } };
    return response.ok && Array.isArray(body.data?.checks);
  } catch {
    return false;
  }
}

const started = process.hrtime.bigint();
const daemon = spawn(process.execPath, [entry, "serve", "--data-dir", dataDir], {
  stdio: ["ignore", "ignore", "pipe"],
});
let stderr = "";
daemon.stderr.on("data", (chunk) => {
  stderr += chunk;
});
let exited = false;
daemon.once("exit", () => {
  exited = true;
});
let servingMs = Number.NaN;
while (!exited) {
  if (await answers()) {
    servingMs = Number(process.hrtime.bigint() - started) / 1e6;
    break;
  }
  await sleep(5);
}
if (exited) {
  console.log(JSON.stringify({ error: `the daemon exited before serving: ${stderr.slice(-2000)}` }));
  process.exit(1);
}
const servingRss = rssMiB(daemon.pid as number);
await sleep(Number(settle));
const idleRss = rssMiB(daemon.pid as number);
daemon.kill("SIGTERM");
await new Promise((resolve) => daemon.once("exit", resolve));
console.log(JSON.stringify({ servingMs, servingRss, idleRss }));
