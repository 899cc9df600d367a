/**
 * Runs inside the lab's LAN namespace (behind the real nftables NAT), started by nat.ts as
 * `node --import tsx bench/nat-worker.ts '<json>'`. Times discoverNat exactly as the nat.type
 * check calls it, then the classic sequential tester, and prints one JSON line of samples.
 */
import { discoverNat } from "@autostun/stun";
import { runClassicTester } from "./nat-baseline.js";
import { type NatSample, type NatWorkerResult, parseWorkerArgs } from "./nat-protocol.js";

async function main(): Promise<void> {
  const args = parseWorkerArgs(process.argv[2]);
  const options = {
    udpServers: args.udpServers,
    tcpServers: args.tcpServers,
    timeoutMs: args.timeoutMs,
    rto: args.rto,
  };
  // Untimed warm-up: module loading and JIT are not part of a check's wall time in the daemon.
  await discoverNat(options);

  const ours: NatSample[] = [];
  for (let i = 0; i < args.oursRuns; i++) {
    const started = performance.now();
    const result = await discoverNat(options);
    ours.push({
      ms: performance.now() - started,
      natType: result.natType,
      udp: result.udp,
      tcp: result.tcp,
    });
  }
  const baseline: NatSample[] = [];
  for (let i = 0; i < args.baselineRuns; i++) {
    baseline.push(
      await runClassicTester(args.udpServers[0]!, args.tcpServers[0], args.baselineProbeTimeoutMs),
    );
  }
  const out: NatWorkerResult = { ours, baseline };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
