/**
 * `npm run bench -- relay-udp [--runs 20] [--stun ours|coturn] [--router remap|cgnat1024]`: the equal-port
 * search on the NAT lab's remapping NAT1 router (public ports 10000–15999), or with `--router cgnat1024` on
 * a port-block carrier-grade NAT (NAT1, ports at random from 20480–21503). Each run starts the runner inside the LAN
 * namespace with a fresh TCP local port, learns that port's TCP public port T over TCP, and asks
 * `findEqualPortUdp` for a UDP mapping on T with the default budget. Two strategies in the same lab:
 * the full one (direct try on local port T, then the search) and, as the baseline, the search alone.
 * The router forgets its mappings between runs so each run starts from the same state.
 *
 * `--recovery [--runs 5]` measures instead how long a UdpMapping with the default timing (keep-alive
 * every 5 s) takes to come back after the router loses its mappings and after it moves to a new WAN
 * address: from the event to the first echo a WAN peer gets through the then-published address. The
 * mapping sits on local port 40777, outside the router's pool, so a lost mapping comes back remapped.
 */
import { parseArgs } from "node:util";
import { CGNAT_1024_POOL, createLab, type Lab, type LabOptions, type LabStunServer } from "@autostun/netlab";
import { EQUAL_PAIR_BUDGET, EQUAL_PORT_BUDGET } from "@autostun/relay";
import { LabUdpRunner, type RunnerLine, reachOverUdp } from "../packages/relay/src/udp/testing/lab-udp.js";
import { summarize } from "./stats.js";
import type { Bench } from "./types.js";

interface Run {
  found: boolean;
  ms: number;
  sockets: number;
  packets: number;
  via: string;
}

type Strategy = "direct" | "search" | "pair-reverse" | "pair-search";

const STRATEGIES: Record<Strategy, string> = {
  direct: "UDP: direct, then search",
  search: "UDP: search alone",
  "pair-reverse": "pair: reverse-direct",
  "pair-search": "pair: search alone",
};

async function once(lab: Lab, tcpLocalPort: number, strategy: Strategy): Promise<Run> {
  await lab.resetMappings();
  const pair = strategy.startsWith("pair");
  const runner = LabUdpRunner.start(lab, {
    stunTcp: [...lab.stunServers.tcp],
    stunUdp: [...lab.stunServers.udp],
    tcpLocalPort,
    tryDirect: strategy === "direct",
    searchOnly: true,
    pairOnly: pair,
    movePair: pair,
    tryReverseDirect: strategy === "pair-reverse",
  });
  try {
    const kind = pair ? "pair-moved" : "pair";
    const line = await runner.waitFor((l: RunnerLine) => l.kind === kind, "the search", 0, 120_000);
    const tried = line.tried as {
      sockets?: number;
      udpSockets?: number;
      tcpConnections?: number;
      packets: number;
      elapsedMs: number;
    };
    const reason = line.reason as { code: string } | undefined;
    return {
      found: line.found === true,
      ms: tried.elapsedMs,
      sockets: tried.sockets ?? (tried.udpSockets ?? 0) + (tried.tcpConnections ?? 0),
      packets: tried.packets,
      via: line.found ? String(line.via) : (reason?.code ?? "?"),
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

/** The routers the search can be measured on: lab options and how the table's title names them. */
const ROUTERS: Record<string, { options: LabOptions; title: string }> = {
  remap: {
    options: { nat: "NAT1", portPreserving: false },
    title: "NAT1 remapping router (public ports 10000-15999)",
  },
  cgnat1024: {
    options: { nat: "NAT1", portPool: CGNAT_1024_POOL },
    title: "NAT1 port-block CGNAT (1,024 public ports 20480-21503, random allocation)",
  },
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function recovery(runs: number, stun: LabStunServer): Promise<number> {
  const lab = await createLab({ nat: "NAT1", portPreserving: false, stun });
  const runner = LabUdpRunner.start(lab, {
    stunTcp: [],
    stunUdp: [...lab.stunServers.udp],
    tcpLocalPort: 0,
    udpOnlyPort: 40_777,
    timing: {},
  });
  try {
    await runner.waitFor((l) => l.state === "OPEN", "OPEN");
    const peer = await lab.addWanAddress();
    await reachOverUdp(lab, runner, peer, 120_000);
    const rows: string[] = [];
    for (const [event, disturb] of [
      ["mapping loss", () => lab.resetMappings()],
      ["WAN address change", () => lab.changePublicIp()],
    ] as const) {
      const through: number[] = [];
      for (let i = 0; i < runs; i++) {
        // Past stableAfterMs, at a different point of the 5 s keep-alive cycle each time.
        await sleep(6_000 + Math.random() * 5_000);
        const t0 = Date.now();
        await disturb();
        const reached = await reachOverUdp(lab, runner, peer, 120_000);
        through.push(reached.at - t0);
        process.stderr.write(
          `  ${event} run ${i + 1}: ${reached.at - t0} ms -> ${JSON.stringify(reached.address)}\n`,
        );
      }
      const sum = summarize(through);
      rows.push(
        `${event.padEnd(20)} ${String(sum.runs).padStart(4)} ${(sum.median / 1000).toFixed(1).padStart(8)} ${`${(sum.min / 1000).toFixed(1)}-${(sum.max / 1000).toFixed(1)}`.padStart(11)}`,
      );
    }
    console.log(
      `UDP mapping recovery, NAT lab NAT1 remapping router, ${stun} STUN, default timing (keep-alive every 5 s), ${new Date().toISOString()}\n` +
        "from the event to the first echo a WAN peer gets through the published UDP address; seconds\n",
    );
    console.log(`${"event".padEnd(20)} runs ${"median".padStart(8)} ${"min-max".padStart(11)}`);
    for (const row of rows) console.log(row);
    console.log("\ntarget: the TCP tunnel's < 5 s stretch (see npm run bench -- relay-recovery for TCP)");
  } finally {
    runner.child.kill("SIGTERM");
    await lab.teardown();
  }
  return 0;
}

export const relayUdpBench: Bench = {
  name: "relay-udp",
  description: "equal-port search on the lab's remapping router: success rate, median time, sockets, packets",
  async run(args) {
    const { values } = parseArgs({
      args: [...args],
      options: {
        runs: { type: "string" },
        stun: { type: "string", default: "coturn" },
        recovery: { type: "boolean", default: false },
        router: { type: "string", default: "remap" },
      },
    });
    const runs = Number(values.runs ?? (values.recovery ? 5 : 20));
    const router = ROUTERS[values.router];
    if (!(runs >= 1) || !["ours", "coturn"].includes(values.stun) || !router) {
      console.error(
        `usage: npm run bench -- relay-udp [--runs 20] [--stun ours|coturn] [--router ${Object.keys(ROUTERS).join("|")}] [--recovery]`,
      );
      return 2;
    }
    if (values.recovery) return recovery(runs, values.stun as LabStunServer);
    const lab = await createLab({ ...router.options, stun: values.stun as LabStunServer });
    try {
      const series: Record<string, Run[]> = {};
      for (let i = 0; i < runs; i++) {
        for (const [j, strategy] of (Object.keys(STRATEGIES) as Strategy[]).entries()) {
          const name = STRATEGIES[strategy];
          const run = await once(lab, 41_000 + i * 4 + j, strategy);
          process.stderr.write(`  ${name} run ${i + 1}: ${JSON.stringify(run)}\n`);
          series[name] = [...(series[name] ?? []), run];
        }
      }
      console.log(
        `Equal-port search, NAT lab ${router.title}, ${values.stun} STUN, ` +
          `default budgets (UDP: ${EQUAL_PORT_BUDGET.maxSockets} sockets, ${EQUAL_PORT_BUDGET.maxPackets} STUN requests; pair: ${EQUAL_PAIR_BUDGET.maxSockets} sockets and connections, ${EQUAL_PAIR_BUDGET.maxPackets} STUN requests; ${EQUAL_PORT_BUDGET.maxMs / 1000} s), ` +
          `${new Date().toISOString()}\n"UDP" keeps TCP where it is; "pair" moves TCP to another local port too\n`,
      );
      console.log(
        `${"strategy".padEnd(24)} ${"found".padStart(7)} ${"median ms".padStart(9)} ${"max ms".padStart(8)} ${"sockets med/max".padStart(13)} ${"packets med/max".padStart(13)}   how each run ended`,
      );
      for (const [name, list] of Object.entries(series)) console.log(row(name, list));
      console.log(
        "\ngoal (issue 17): found in at least 19 of 20 runs on the lab's remapping router and on a 1,024-port CGNAT",
      );
    } finally {
      await lab.teardown();
    }
    return 0;
  },
};
