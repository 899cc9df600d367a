/**
 * What the nat bench and its worker (run inside the lab's LAN namespace) tell each other:
 * arguments go in as one JSON command-line argument, results come back as one JSON line.
 */
import type { NatBehaviour, NatType } from "@autostun/stun";

/** Arguments of `nat-worker.ts`. */
export interface NatWorkerArgs {
  /** UDP and TCP servers exactly as the nat.type check would get them from the lab config. */
  udpServers: string[];
  tcpServers: string[];
  /** Options the nat.type check passes to discoverNat (its defaults: 8000 and 200). */
  timeoutMs: number;
  rto: number;
  /** Timed runs of discoverNat, after one untimed warm-up. */
  oursRuns: number;
  /** Timed runs of the classic sequential tester. */
  baselineRuns: number;
  /** Per-probe timeout of the classic tester. */
  baselineProbeTimeoutMs: number;
}

/** One timed run and the verdict it reached. */
export interface NatSample {
  ms: number;
  natType: NatType;
  udp: { mapping: NatBehaviour; filtering: NatBehaviour };
  tcp: { mapping: NatBehaviour };
}

/** The worker's single line of output. */
export interface NatWorkerResult {
  ours: NatSample[];
  baseline: NatSample[];
}

function fail(what: string): never {
  throw new Error(`nat-worker: bad arguments: ${what}`);
}

function stringList(value: unknown, key: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string"))
    fail(`"${key}" must be an array of "host:port" strings`);
  return value as string[];
}

function count(value: unknown, key: string, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min)
    fail(`"${key}" must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  return value;
}

/** Parses and checks the worker's JSON argument; errors name the key that is wrong. */
export function parseWorkerArgs(text: string | undefined): NatWorkerArgs {
  if (text === undefined) fail("expected one JSON argument");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    fail(`not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof raw !== "object" || raw === null) fail("expected a JSON object");
  const o = raw as Record<string, unknown>;
  const args: NatWorkerArgs = {
    udpServers: stringList(o.udpServers, "udpServers"),
    tcpServers: stringList(o.tcpServers, "tcpServers"),
    timeoutMs: count(o.timeoutMs, "timeoutMs", 1),
    rto: count(o.rto, "rto", 1),
    oursRuns: count(o.oursRuns, "oursRuns", 0),
    baselineRuns: count(o.baselineRuns, "baselineRuns", 0),
    baselineProbeTimeoutMs: count(o.baselineProbeTimeoutMs, "baselineProbeTimeoutMs", 1),
  };
  if (args.udpServers.length === 0) fail('"udpServers" is empty: the classic tester needs a UDP server');
  return args;
}
