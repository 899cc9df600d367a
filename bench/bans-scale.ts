/**
 * `npm run bench -- bans-scale [--file 50000] [--single 100000] [--bulk 100000] [--subscribers 100]
 * [--nft 50000]`: what a ban costs when many are held (issue 19, finding 4).
 *
 * 1. `autostun serve` as a child with a ban-list file of --file lines and --subscribers SSE subscribers
 *    of bansChanged: one ban's answer time and the daemon's RSS (/proc VmRSS).
 * 2. --single bans through `Mutation.ban`, 8 in flight, and --bulk through `Mutation.banMany` in lists of
 *    10,000: the rate per 10,000, so a rate that falls with the count shows. Baseline, same run: the rate
 *    of a query that does nothing (`{ __typename }`), the cost of HTTP and GraphQL alone.
 * 3. (root) a forward: nftables tunnel in a namespace of its own holding --nft host bans: one more ban,
 *    one after another, until in force. Baseline, same run: a bare `nft add element` of one host into
 *    that tunnel's host set, and into an interval set of the same size (where hosts lived before).
 */
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { createCommandRunner } from "@autostun/probes";
import { BanList, NftablesForwarding, NftablesTable, validateTarget } from "@autostun/relay";
import { ensureBuilt } from "../apps/server/scripts/build.js";
import { summarize } from "./stats.js";
import type { Bench } from "./types.js";

const exec = promisify(execFile);
const BIN = fileURLToPath(new URL("../apps/server/bin/autostun.mjs", import.meta.url));
const TOKEN = "bench-bans-scale-token-0123";
const HEADERS = { "content-type": "application/json", authorization: `Bearer ${TOKEN}` };

function host(i: number, first = 10): string {
  return `${first}.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

function rssMb(pid: number): number {
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  return kb / 1024;
}

async function post(base: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: HEADERS,
    body: JSON.stringify({ query, variables }),
  });
  const json = (await response.json()) as { errors?: { message: string }[]; data?: unknown };
  if (json.errors?.length) throw new Error(json.errors[0]?.message);
  return json.data;
}

/** Runs `count` calls of `one(i)`, `inFlight` at a time; returns the rate of each chunk of `chunk`. */
async function rates(count: number, inFlight: number, chunk: number, one: (i: number) => Promise<unknown>) {
  const out: number[] = [];
  let next = 0;
  let chunkStart = performance.now();
  let doneInChunk = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await one(i);
      doneInChunk++;
      if (doneInChunk === chunk) {
        const now = performance.now();
        out.push(Math.round((chunk * 1000) / (now - chunkStart)));
        chunkStart = now;
        doneInChunk = 0;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { perChunk: out, overall: Math.round((count * 1000) / (performance.now() - started)) };
}

async function apiPart(fileBans: number, single: number, bulk: number, subscribers: number): Promise<number> {
  const folder = mkdtempSync(join(tmpdir(), "autostun-bench-bans-"));
  const banFile = join(folder, "bans.txt");
  writeFileSync(banFile, `${Array.from({ length: fileBans }, (_, i) => host(i + 1)).join("\n")}\n`);
  const config = join(folder, "autostun.yaml");
  writeFileSync(
    config,
    [
      `api: { listen: "127.0.0.1:0", token: "${TOKEN}" }`,
      `dataDir: "${join(folder, "data")}"`,
      "stun: { udp: [], tcp: [] }",
      "checks: { runOnStart: false, intervalSeconds: 0 }",
      "plugins: { dirs: [] }",
      "log: { level: warn }",
      `bans: { file: "${banFile}" }`,
      "",
    ].join("\n"),
  );
  const child = spawn(process.execPath, [BIN, "serve", "--config", config], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LANG: "C" },
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.resume();
  try {
    const base = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", () => {
        const found = /AutoSTUN console: (\S+)/.exec(out);
        if (found?.[1]) resolve(new URL(found[1]).origin);
      });
      child.once("exit", (code) => reject(new Error(`serve ended (exit ${code})`)));
    });
    for (;;) {
      const data = (await post(base, "{ banConnection(first: 1) { totalCount } }")) as {
        banConnection: { totalCount: number };
      };
      if (data.banConnection.totalCount >= fileBans) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const pid = child.pid as number;
    const idle = rssMb(pid);
    const streams = Array.from({ length: subscribers }, () => new AbortController());
    const received = new Array<number>(subscribers).fill(0);
    await Promise.all(
      streams.map(async (abort, i) => {
        const response = await fetch(`${base}/graphql`, {
          method: "POST",
          headers: { ...HEADERS, accept: "text/event-stream" },
          body: JSON.stringify({ query: "subscription { bansChanged { kind count total bans { cidr } } }" }),
          signal: abort.signal,
        });
        const reader = response.body?.getReader();
        void (async () => {
          for (;;) {
            const chunk = await reader?.read().catch(() => undefined);
            if (!chunk || chunk.done) return;
            received[i] = (received[i] ?? 0) + chunk.value.byteLength;
          }
        })();
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      await post(base, `mutation { ban(cidr: "${host(i, 198)}", reason: "bench") { cidr } }`);
      latencies.push(performance.now() - started);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const ban = summarize(latencies);
    console.log(
      `${fileBans} file bans, ${subscribers} SSE subscribers: ban median ${ban.median.toFixed(1)} ms, p90 ${ban.p90.toFixed(1)} ms; ` +
        `per subscriber ${Math.max(...received)} bytes for 20 bans; RSS ${idle.toFixed(0)} -> ${rssMb(pid).toFixed(0)} MB`,
    );
    for (const stream of streams) stream.abort();

    const baseline = await rates(20_000, 8, 10_000, () => post(base, "{ __typename }"));
    console.log(
      `baseline { __typename }: ${baseline.overall}/s (per 10,000: ${baseline.perChunk.join(", ")})`,
    );
    const singles = await rates(single, 8, 10_000, (i) =>
      post(base, `mutation { ban(cidr: "${host(i, 100)}") { cidr } }`),
    );
    console.log(
      `${single} single bans (Mutation.ban, 8 in flight): ${singles.overall}/s (per 10,000: ${singles.perChunk.join(", ")}); RSS ${rssMb(pid).toFixed(0)} MB`,
    );
    const lists = Math.ceil(bulk / 10_000);
    const bulkStarted = performance.now();
    const perList: number[] = [];
    for (let l = 0; l < lists; l++) {
      const cidrs = Array.from({ length: Math.min(10_000, bulk - l * 10_000) }, (_, i) =>
        host(l * 10_000 + i, 101),
      );
      const started = performance.now();
      await post(base, "mutation ($cidrs: [String!]!) { banMany(cidrs: $cidrs) { count } }", { cidrs });
      perList.push(Math.round(performance.now() - started));
    }
    console.log(
      `${bulk} bans in lists of 10,000 (Mutation.banMany): ${Math.round((bulk * 1000) / (performance.now() - bulkStarted))}/s ` +
        `(ms per list: ${perList.join(", ")}); RSS ${rssMb(pid).toFixed(0)} MB`,
    );
    return 0;
  } finally {
    child.kill("SIGTERM");
  }
}

async function nftPart(count: number): Promise<number> {
  if (process.getuid?.() !== 0) {
    console.log("nftables part skipped: needs root (a network namespace and nftables rules)");
    return 0;
  }
  const netns = `autostun-bench-scale-${process.pid}`;
  await exec("ip", ["netns", "add", netns]);
  try {
    await exec("ip", ["-n", netns, "link", "set", "lo", "up"]);
    const runner = createCommandRunner({ netns });
    const bans = new BanList();
    const tunnel = new NftablesForwarding({
      tunnelId: "bench",
      to: { target: await validateTarget("bench", "127.0.0.1:7001") },
      table: new NftablesTable(runner),
      runner,
      bans,
      localAddresses: () => [],
    });
    await tunnel.start(40_000);
    for (let done = 0; done < count; done += 10_000) {
      const list = Array.from({ length: Math.min(10_000, count - done) }, (_, i) => ({
        cidr: host(done + i + 1),
      }));
      const outcome = await bans.banMany(list);
      if (outcome.notApplied.length) throw new Error(outcome.notApplied[0]?.error);
    }
    const ours: number[] = [];
    for (let i = 0; i < 50; i++) {
      const started = performance.now();
      const outcome = await bans.ban({ cidr: host(i, 198) });
      if (outcome.notApplied.length) throw new Error(outcome.notApplied[0]?.error);
      ours.push(performance.now() - started);
    }
    const listed = await exec("ip", ["netns", "exec", netns, "nft", "-t", "list", "sets", "inet"]);
    const hostSet = /set (\S+_banh) /.exec(listed.stdout)?.[1];
    const bare = async (script: string) => {
      const started = performance.now();
      await runner.run("nft", ["-f", "-"], { input: script });
      return performance.now() - started;
    };
    const hashBaseline: number[] = [];
    for (let i = 0; i < 20; i++)
      hashBaseline.push(await bare(`add element inet autostun ${hostSet} { ${host(i, 199)} }\n`));
    // Where hosts lived before: an interval set of the same size, in a table of its own.
    const elements = Array.from({ length: count }, (_, i) => host(i + 1)).join(", ");
    await runner.run("nft", ["-f", "-"], {
      input: `table inet bench_old {\n set old { type ipv4_addr; flags interval, timeout; elements = { ${elements} } }\n}\n`,
    });
    const intervalBaseline: number[] = [];
    for (let i = 0; i < 20; i++)
      intervalBaseline.push(await bare(`add element inet bench_old old { ${host(i, 199)} }\n`));
    const show = (label: string, values: number[]) => {
      const s = summarize(values);
      console.log(
        `${label.padEnd(58)} median ${s.median.toFixed(1).padStart(7)} ms  p90 ${s.p90.toFixed(1).padStart(7)} ms`,
      );
    };
    console.log(`forward: nftables tunnel holding ${count} host bans (namespace ${netns}):`);
    show("one more ban until in force (BanList.ban, nft + ss)", ours);
    show("baseline: bare nft add element into the host (hash) set", hashBaseline);
    show("baseline: bare nft add element into an interval set that size", intervalBaseline);
    await tunnel.stop();
    bans.dispose();
    return 0;
  } finally {
    await exec("ip", ["netns", "del", netns]);
  }
}

async function run(args: readonly string[]): Promise<number> {
  // BIN runs apps/server/dist: rebuilt first when a source changed, so the bench measures today's code.
  await ensureBuilt();
  const { values } = parseArgs({
    args: [...args],
    options: {
      file: { type: "string", default: "50000" },
      single: { type: "string", default: "100000" },
      bulk: { type: "string", default: "100000" },
      subscribers: { type: "string", default: "100" },
      nft: { type: "string", default: "50000" },
    },
  });
  const numbers = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, Number(value)]));
  for (const [key, value] of Object.entries(numbers)) {
    if (!Number.isInteger(value) || value < 0 || value > 1_000_000) {
      console.error(`bans-scale: --${key} must be a whole number from 0 to 1000000`);
      return 2;
    }
  }
  const { file, single, bulk, subscribers, nft } = numbers as Record<string, number>;
  let code = await apiPart(file as number, single as number, bulk as number, subscribers as number);
  if ((nft as number) > 0) code = Math.max(code, await nftPart(nft as number));
  return code;
}

export const bansScaleBench: Bench = {
  name: "bans-scale",
  description:
    "bans at 50,000-100,000: ban latency with 100 subscribers, RSS, single vs bulk rate, nftables ban latency",
  run,
};
