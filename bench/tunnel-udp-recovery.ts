/**
 * `npm run bench -- tunnel-udp-recovery [--runs 5] [--router remapping|port-preserving]`: the real
 * daemon (`autostun serve` in the LAN namespace of a NAT1 lab, our STUN servers, the lab tests' keep-alive)
 * with one tunnel, UDP on by default, to an echo service that answers TCP and UDP on 127.0.0.1:7000.
 * Each run waits 6–11 s, makes the router lose its mappings (first series) or move to a new WAN address
 * (second series), then times two WAN pollers side by side from the event: a TCP echo through the
 * tunnel's current public address (the baseline) and a UDP echo to that same address and port, which is
 * what a downloader announcing one port needs. The address is asked from GraphQL before each try.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { createLab, type Lab } from "@autostun/netlab";
import { labConfig, startKeepalive } from "../apps/server/src/lab/testing/lab-services.js";
import { LanDaemon } from "../apps/server/src/lab/testing/lan-daemon.js";
import { summarize } from "./stats.js";
import type { Bench } from "./types.js";

const ECHO = "127.0.0.1:7000";
const REACH_TIMEOUT_MS = 120_000;
const QUERY = `{ tunnels { state publicAddress { ip port } udp { state match samePort publicAddress { ip port } } } }`;

interface Address {
  ip: string;
  port: number;
}
interface TunnelView {
  state: string;
  publicAddress: Address | null;
  udp: { state: string; match: string | null; samePort: boolean; publicAddress: Address | null } | null;
}
type Protocol = "tcp" | "udp";

/** When the first successful try and the last failed one before it started, ms after the event. */
interface Reached {
  at: number;
  lastMiss: number | null;
}

interface Run {
  /**
   * From the event to the start of the first try that echoed through the current public address; null
   * when none did within the timeout. A try's start, not its end: a UDP socat lingers after the answer
   * and a TCP one does not, which would tilt the comparison.
   */
  tcpMs: number | null;
  udpMs: number | null;
  /** The last failed try's start: the true moment lies between it and the figure above. */
  tcpLastMissMs: number | null;
  udpLastMissMs: number | null;
  portMoved: boolean;
  match: string | null;
  samePort: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One echo try from a WAN address; true when the line came back. The line goes in through a shell pipe:
 * a socat that fails at once closes its stdin, and an EPIPE on exec's input would end the bench.
 */
async function knock(lab: Lab, protocol: Protocol, fromIp: string, to: Address): Promise<boolean> {
  const sent = `echo-${randomBytes(4).toString("hex")}`;
  // Half a second is ample for a lab round trip and keeps a failing try, the figures' resolution, short
  // and the same for both protocols.
  const socat =
    protocol === "tcp"
      ? `socat -T 1 -t 1 - TCP4:${to.ip}:${to.port},bind=${fromIp},connect-timeout=0.5`
      : `socat -T 0.5 - UDP4:${to.ip}:${to.port},bind=${fromIp}`;
  const { stdout } = await lab.exec("wan", "sh", ["-c", `echo ${sent} | ${socat}`], { timeoutMs: 10_000 });
  return stdout.trim() === sent;
}

class WanPoller {
  constructor(
    private readonly lab: Lab,
    private readonly daemon: LanDaemon,
    private readonly url: string,
    private readonly peer: string,
  ) {}

  async view(): Promise<TunnelView | undefined> {
    const answer = await this.daemon.gql<{ tunnels: TunnelView[] }>(this.url, QUERY);
    return answer.data?.tunnels[0];
  }

  /**
   * Tries until an echo comes back through the TCP public address the daemon publishes at that moment;
   * when it first did, or null after the timeout. An echo through an address the daemon replaced while
   * the try ran proves nothing, so the address is asked again after a success.
   */
  async reach(protocol: Protocol, since: number, timeoutMs: number): Promise<Reached | null> {
    const deadline = Date.now() + timeoutMs;
    let lastMiss: number | null = null;
    while (Date.now() < deadline) {
      const before = await this.view();
      const at = before?.publicAddress;
      const started = Date.now();
      if (before?.state === "OPEN" && at && (await knock(this.lab, protocol, this.peer, at))) {
        const after = await this.view();
        if (after?.publicAddress?.ip === at.ip && after.publicAddress.port === at.port)
          return { at: started - since, lastMiss };
      }
      lastMiss = started - since;
      await sleep(100);
    }
    return null;
  }

  async series(runs: number, event: () => Promise<unknown>): Promise<Run[]> {
    const results: Run[] = [];
    for (let i = 0; i < runs; i++) {
      // A random wait puts the event at a different point of the 10 s keep-alive cycle each time, and past
      // the tunnel's "stable" mark, so no run is taken for a flapping target and backed off.
      await sleep(6_000 + Math.random() * 5_000);
      const portBefore = (await this.view())?.publicAddress?.port;
      const t0 = Date.now();
      await event();
      const [tcp, udp] = await Promise.all([
        this.reach("tcp", t0, REACH_TIMEOUT_MS),
        this.reach("udp", t0, REACH_TIMEOUT_MS),
      ]);
      const now = await this.view();
      const run: Run = {
        tcpMs: tcp?.at ?? null,
        udpMs: udp?.at ?? null,
        tcpLastMissMs: tcp?.lastMiss ?? null,
        udpLastMissMs: udp?.lastMiss ?? null,
        portMoved: now?.publicAddress?.port !== portBefore,
        match: now?.udp?.match ?? null,
        samePort: now?.udp?.samePort ?? false,
      };
      process.stderr.write(`  run ${i + 1}: ${JSON.stringify(run)}\n`);
      results.push(run);
    }
    return results;
  }
}

/** Median of the last failed tries' starts: with the cell before it, the span the true moment lies in. */
function missCell(values: readonly (number | null)[]): string {
  const seen = values.flatMap((v) => (v === null ? [] : [v]));
  return (seen.length ? (summarize(seen).median / 1000).toFixed(1) : "-").padStart(9);
}

function cell(values: readonly (number | null)[]): string {
  const back = values.flatMap((v) => (v === null ? [] : [v]));
  if (back.length === 0) return "never".padStart(20);
  const s = summarize(back);
  const text = `${(s.median / 1000).toFixed(1)} (${(s.min / 1000).toFixed(1)}–${(s.max / 1000).toFixed(1)})`;
  return (back.length < values.length ? `${text} ${back.length}/${values.length}` : text).padStart(20);
}

function row(event: string, runs: readonly Run[]): string {
  const matches = [...new Set(runs.map((r) => r.match ?? "none"))].join(",");
  const moved = runs.filter((r) => r.portMoved).length;
  const same = runs.filter((r) => r.samePort).length;
  return [
    event.padEnd(19),
    String(runs.length).padStart(4),
    cell(runs.map((r) => r.tcpMs)),
    missCell(runs.map((r) => r.tcpLastMissMs)),
    cell(runs.map((r) => r.udpMs)),
    missCell(runs.map((r) => r.udpLastMissMs)),
    `${moved}/${runs.length}`.padStart(11),
    `${same}/${runs.length}`.padStart(9),
    ` ${matches}`,
  ].join(" ");
}

export const tunnelUdpRecoveryBench: Bench = {
  name: "tunnel-udp-recovery",
  description:
    "the daemon in the NAT lab: TCP and UDP back on one public port after mapping loss and WAN change",
  async run(args) {
    const { values } = parseArgs({
      args: [...args],
      options: {
        runs: { type: "string", default: "5" },
        router: { type: "string", default: "remapping" },
      },
    });
    const runs = Number(values.runs);
    if (!(Number.isInteger(runs) && runs >= 1) || !["remapping", "port-preserving"].includes(values.router)) {
      console.error(
        "usage: npm run bench -- tunnel-udp-recovery [--runs 5] [--router remapping|port-preserving]",
      );
      return 2;
    }
    const portPreserving = values.router === "port-preserving";
    const router = `NAT1 ${values.router}`;
    const lab = await createLab({ nat: "NAT1", portPreserving, stun: "ours" });
    try {
      // One echo service answering both protocols on the same port, as a downloader listens.
      lab.spawn("lan", "socat", [`TCP4-LISTEN:7000,bind=127.0.0.1,reuseaddr,fork`, "EXEC:cat"]);
      lab.spawn("lan", "socat", [`UDP4-LISTEN:7000,bind=127.0.0.1,fork`, "EXEC:cat"]);
      const keepalive = await startKeepalive(lab);
      await lab.waitForListening("lan", { tcp: [ECHO], udp: [ECHO] });
      const config = await lab.writeConfig(
        labConfig(keepalive, { tunnels: [{ id: "bench", target: ECHO }] }),
      );
      const daemon = LanDaemon.start(lab, config);
      try {
        const url = await daemon.ready();
        await daemon.until<{ tunnels: TunnelView[] }>(
          url,
          QUERY,
          (d) => d.tunnels[0]?.state === "OPEN" && d.tunnels[0]?.udp?.samePort === true,
          REACH_TIMEOUT_MS,
        );
        const peer = await lab.addWanAddress();
        const bench = new WanPoller(lab, daemon, url, peer);
        const first = await Promise.all([
          bench.reach("tcp", Date.now(), REACH_TIMEOUT_MS),
          bench.reach("udp", Date.now(), REACH_TIMEOUT_MS),
        ]);
        if (first.includes(null))
          throw new Error(`bench tunnel-udp-recovery: no echo at the first open\n${daemon.stderr}`);
        process.stderr.write(`bench tunnel-udp-recovery: ${router}, resetMappings × ${runs}\n`);
        const lost = await bench.series(runs, () => lab.resetMappings());
        process.stderr.write(`bench tunnel-udp-recovery: ${router}, changePublicIp × ${runs}\n`);
        const moved = await bench.series(runs, () => lab.changePublicIp());
        console.log(
          `TCP and UDP back on one public port, autostun serve in the NAT lab (${router}, our STUN servers, ` +
            `keep-alive every 10 s), ${new Date().toISOString()}\nfrom the event to the first echo a WAN peer ` +
            "gets through the tunnel's current TCP public address (start of that try); seconds, median (min–max)\n",
        );
        console.log(
          `${"event".padEnd(19)} runs ${"TCP (baseline)".padStart(20)} ${"last miss".padStart(9)} ` +
            `${"UDP, same port".padStart(20)} ${"last miss".padStart(9)} ` +
            `${"port moved".padStart(11)} ${"samePort".padStart(9)}  udp.match`,
        );
        console.log(row("mapping loss", lost));
        console.log(row("WAN address change", moved));
        console.log("\ntarget (issue 17): UDP back by itself with TCP's < 5 s stretch, on the same port.");
      } finally {
        await daemon.stop();
      }
    } finally {
      await lab.teardown();
    }
    return 0;
  },
};
