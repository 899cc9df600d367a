/**
 * `npm run bench -- relay-bans [--bans 200]`: how long bans take to be in force on a `forward: nftables`
 * tunnel, and how many nft and ss processes they cost. Runs as root in a network namespace of its own
 * (the kernel's real nftables, no peer traffic). Two ways the API sees bans come:
 * - burst: every request arrives before the first is answered (clients sending at once);
 * - one after another: each request waits for the previous answer (a script banning a list in a loop).
 * A ban's time ends when its call answered, which now means the kernel's set holds it; the set is read
 * back at the end of each round to confirm every network is there.
 */
import { execFile } from "node:child_process";
import { parseArgs, promisify } from "node:util";
import type { CommandRunner } from "@autostun/plugins-api";
import { createCommandRunner } from "@autostun/probes";
import { BanList, NftablesForwarding, NftablesTable, validateTarget } from "@autostun/relay";
import type { Bench } from "./types.js";

const exec = promisify(execFile);

/** Counts the processes each program cost, passing every call on. */
function countingRunner(inner: CommandRunner): CommandRunner & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  return {
    counts,
    run(file, args, options) {
      counts.set(file, (counts.get(file) ?? 0) + 1);
      return inner.run(file, args, options);
    },
  };
}

/** 10.<round>.x.y: a fresh network per ban and per round, so every round really adds elements. */
function address(round: number, n: number): string {
  return `10.${round}.${(n >> 8) & 255}.${n & 255}`;
}

async function elementsInKernel(netns: string): Promise<number> {
  const { stdout } = await exec("ip", [
    "netns",
    "exec",
    netns,
    "nft",
    "-j",
    "list",
    "table",
    "inet",
    "autostun",
  ]);
  const items = (JSON.parse(stdout) as { nftables: { set?: { elem?: unknown[] } }[] }).nftables;
  return items.reduce((sum, item) => sum + (item.set?.elem?.length ?? 0), 0);
}

async function run(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { bans: { type: "string", default: "200" } } });
  const total = Number(values.bans);
  if (!Number.isInteger(total) || total < 1 || total > 60_000) {
    console.error(`relay-bans: --bans must be a whole number from 1 to 60000, not ${values.bans}`);
    return 2;
  }
  if (process.getuid?.() !== 0) {
    console.error("relay-bans: needs root (it makes a network namespace and loads nftables rules there)");
    return 2;
  }
  const netns = `autostun-bench-bans-${process.pid}`;
  await exec("ip", ["netns", "add", netns]);
  try {
    await exec("ip", ["-n", netns, "link", "set", "lo", "up"]);
    const runner = countingRunner(createCommandRunner({ netns }));
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

    let bad = false;
    /** `held`: how many of the round's networks the kernel's set must hold once every call answered. */
    const round = async (
      label: string,
      index: number,
      held: "all" | "none",
      go: (cidrs: string[]) => Promise<void>,
    ) => {
      const cidrs = Array.from({ length: total }, (_, n) => `${address(index, n)}/32`);
      runner.counts.clear();
      const started = process.hrtime.bigint();
      await go(cidrs);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const inKernel = await elementsInKernel(netns);
      console.log(
        `${label.padEnd(34)} ${ms.toFixed(0).padStart(6)} ms  ${(ms / total).toFixed(2).padStart(6)} ms/ban  nft runs ${runner.counts.get("nft") ?? 0}  ss runs ${runner.counts.get("ss") ?? 0}  elements in the kernel's set ${inKernel}`,
      );
      const expected = held === "all" ? total : 0;
      if (inKernel !== expected) {
        console.error(`relay-bans: ${label}: the kernel's set holds ${inKernel} elements, not ${expected}`);
        bad = true;
      }
    };
    // A function, not `bad ||= …`: that would skip the calls themselves once one round went wrong.
    const check = (outcomes: { notApplied: unknown[] }[]) => {
      if (outcomes.some((o) => o.notApplied.length > 0)) bad = true;
    };

    console.log(`${total} bans on one forward: nftables tunnel (nftables in namespace ${netns})`);
    await round("ban, burst", 1, "all", async (cidrs) => {
      check(await Promise.all(cidrs.map((cidr) => bans.ban({ cidr }))));
    });
    await round("unban, burst", 1, "none", async (cidrs) => {
      check(await Promise.all(cidrs.map((cidr) => bans.unban(cidr))));
    });
    await round("ban, one after another", 2, "all", async (cidrs) => {
      for (const cidr of cidrs) check([await bans.ban({ cidr })]);
    });
    await round("unban, one after another", 2, "none", async (cidrs) => {
      for (const cidr of cidrs) check([await bans.unban(cidr)]);
    });
    await tunnel.stop();
    bans.dispose();
    if (bad) console.error("relay-bans: some ban was not in force when answered (see above)");
    return bad ? 1 : 0;
  } finally {
    await exec("ip", ["netns", "del", netns]);
  }
}

export const relayBansBench: Bench = {
  name: "relay-bans",
  description:
    "200 bans on a forward: nftables tunnel: time until in force, nft and ss runs (burst and in a row)",
  run,
};
