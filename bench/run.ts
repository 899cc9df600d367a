/**
 * `npm run bench -- [name] [args…]`: runs one bench by name with the arguments after it, or
 * every bench when no name is given. Benches load lazily so one bench's imports cost nothing
 * when another runs.
 */
import type { Bench } from "./types.js";

const BENCHES: Record<string, { description: string; load: () => Promise<Bench> }> = {
  nat: {
    description: "median wall time of a full nat.type check in the NAT lab vs a classic sequential tester",
    load: async () => (await import("./nat.js")).natBench,
  },
  relay: {
    description:
      "bulk TCP on loopback: forwarder vs direct, socat and haproxy (iperf3; throughput, CPU-s/GiB)",
    load: async () => (await import("./relay.js")).relayBench,
  },
  "relay-idle": {
    description: "10,000 idle connections through the forwarder: RSS, accept rate, p99 added connect latency",
    load: async () => (await import("./relay-idle.js")).relayIdleBench,
  },
  "relay-bans": {
    description:
      "200 bans on a forward: nftables tunnel: time until in force, nft and ss runs (burst and in a row)",
    load: async () => (await import("./relay-bans.js")).relayBansBench,
  },
  "bans-scale": {
    description:
      "bans at 50,000-100,000: ban latency with 100 subscribers, RSS, single vs bulk rate, nftables ban latency",
    load: async () => (await import("./bans-scale.js")).bansScaleBench,
  },
  "relay-recovery": {
    description: "tunnel recovery in the NAT lab, default timing: mapping loss and WAN address change",
    load: async () => (await import("./relay-recovery.js")).relayRecoveryBench,
  },
  "relay-udp": {
    description:
      "equal-port search (UDP on the TCP public port) on the lab's remapping router: success, time, cost",
    load: async () => (await import("./relay-udp.js")).relayUdpBench,
  },
  "relay-udp-forwarder": {
    description:
      "UDP on loopback: UdpForwarder vs direct and socat UDP-LISTEN,fork (packets/s, CPU-s per million, 1,200 B)",
    load: async () => (await import("./relay-udp-forwarder.js")).relayUdpForwarderBench,
  },
  "relay-udp-utp": {
    description:
      "uTP bulk throughput in the NAT lab, libtorrent peers with TCP off: direct vs UdpMapping + UdpForwarder",
    load: async () => (await import("./relay-udp-utp.js")).relayUdpUtpBench,
  },
  "tunnel-udp-recovery": {
    description:
      "the daemon in the NAT lab: TCP and UDP back on one public port after mapping loss and WAN change",
    load: async () => (await import("./tunnel-udp-recovery.js")).tunnelUdpRecoveryBench,
  },
  startup: {
    description:
      "exec until the GraphQL API answers, and idle RSS: built JavaScript vs the sources through tsx",
    load: async () => (await import("./startup.js")).startupBench,
  },
  soak: {
    description:
      "the daemon for N minutes (--minutes, default 5) in the NAT lab under churn and mapping loss: RSS, fds, lag, SQLite",
    load: async () => (await import("./soak.js")).soakBench,
  },
};

function available(): string {
  return Object.entries(BENCHES)
    .map(([name, b]) => `  ${name.padEnd(15)} ${b.description}`)
    .join("\n");
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    let code = 0;
    for (const [each, entry] of Object.entries(BENCHES)) {
      console.log(`=== bench ${each} ===`);
      code = Math.max(code, await (await entry.load()).run([]));
    }
    return code;
  }
  if (name === "--help" || name === "-h") {
    console.log(`usage: npm run bench -- [name] [args…]\navailable benches:\n${available()}`);
    return 0;
  }
  const entry = BENCHES[name];
  if (!entry) {
    console.error(`bench: unknown bench "${name}"; available benches:\n${available()}`);
    return 2;
  }
  return (await entry.load()).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  },
);
