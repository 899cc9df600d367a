/**
 * `npm run bench -- relay-udp [--runs 20] [--stun ours|coturn]`: the equal-port search on the NAT
 * lab's remapping NAT1 router (public ports 10000–15999). Each run starts the runner inside the LAN
 * namespace with a fresh TCP local port, learns that port's TCP public port T over TCP, and asks
 * `findEqualPortUdp` for a UDP mapping on T with the default budget. Two strategies in the same lab:
 * the full one (direct try on local port T, then the search) and, as the baseline, the search alone.
 * The router forgets its mappings between runs so each run starts from the same state.
 */
import { parseArgs } from "node:util";
import { createLab, type Lab, type LabStunServer } from "@autostun/netlab";
import { LabUdpRunner, type RunnerLine } from "../packages/relay/src/udp/testing/lab-udp.js";
import { summarize } from "./stats.js";
import type { Bench } from "./types.js";

interface Run {
  found: boolean;
  ms: number;
  sockets: number;
  packets: number;
  via: string;
}

async function once(lab: Lab, tcpLocalPort: number, tryDirect: boolean): Promise<Run> {
  await lab.resetMappings();
  const runner = LabUdpRunner.start(lab, {
    stunTcp: [...lab.stunServers.tcp],
    stunUdp: [...lab.stunServers.udp],
    tcpLocalPort,
    tryDirect,
    searchOnly: true,
  });
  try {
    const pair = await runner.waitFor((l: RunnerLine) => l.kind === "pair", "the search", 0, 120_000);
    const tried = pair.tried as { sockets: number; packets: number; elapsedMs: number };
    const reason = pair.reason as { code: string } | undefined;
    return {
      found: pair.found === true,
      ms: tried.elapsedMs,
      sockets: tried.sockets,
      packets: tried.packets,
      via: pair.found ? String(pair.via) : (reason?.code ?? "?"),
    };
  } finally {
    if (runner.child.exitCode === null) runner.child.kill("SIGTERM");
  }
}

function row(name: string, runs: readonly Run[]): string {
  const found = runs.filter((r) => r.found);
  const ms = summarize(runs.map((r) => r.ms));
  const sockets = summarize(runs.map((r) => r.sockets));
  const packets = summarize(runs.map((r) => r.packets));
  const ends = [...new Set(runs.map((r) => r.via))]
    .map((v) => `${v}×${runs.filter((r) => r.via === v).length}`)
    .join(" ");
  return [
    name.padEnd(24),
    `${found.length}/${runs.length}`.padStart(7),
    `${ms.median}`.padStart(9),
    `${ms.max}`.padStart(8),
    `${sockets.median}/${sockets.max}`.padStart(13),
    `${packets.median}/${packets.max}`.padStart(13),
    `  ${ends}`,
  ].join(" ");
}

export const relayUdpBench: Bench = {
  name: "relay-udp",
  description: "equal-port search on the lab's remapping router: success rate, median time, sockets, packets",
  async run(args) {
    const { values } = parseArgs({
      args: [...args],
      options: { runs: { type: "string", default: "20" }, stun: { type: "string", default: "coturn" } },
    });
    const runs = Number(values.runs);
    if (!(runs >= 1) || !["ours", "coturn"].includes(values.stun)) {
      console.error("usage: npm run bench -- relay-udp [--runs 20] [--stun ours|coturn]");
      return 2;
    }
    const lab = await createLab({ nat: "NAT1", portPreserving: false, stun: values.stun as LabStunServer });
    try {
      const series: Record<string, Run[]> = { "direct, then search": [], "search alone": [] };
      for (let i = 0; i < runs; i++) {
        for (const [name, direct] of [
          ["direct, then search", true],
          ["search alone", false],
        ] as const) {
          const run = await once(lab, 41_000 + i * 2 + (direct ? 0 : 1), direct);
          process.stderr.write(`  ${name} run ${i + 1}: ${JSON.stringify(run)}\n`);
          series[name]!.push(run);
        }
      }
      console.log(
        `Equal-port search, NAT lab NAT1 remapping router (public ports 10000-15999), ${values.stun} STUN, ` +
          `default budget (64 sockets, 200 STUN datagrams, 20 s), ${new Date().toISOString()}\n`,
      );
      console.log(
        `${"strategy".padEnd(24)} ${"found".padStart(7)} ${"median ms".padStart(9)} ${"max ms".padStart(8)} ${"sockets med/max".padStart(13)} ${"packets med/max".padStart(13)}   how each run ended`,
      );
      for (const [name, list] of Object.entries(series)) console.log(row(name, list));
      console.log("\ngoal (issue 17): found in at least 19 of 20 runs on the lab's remapping router");
    } finally {
      await lab.teardown();
    }
    return 0;
  },
};
