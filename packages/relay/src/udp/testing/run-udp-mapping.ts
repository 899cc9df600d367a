/**
 * Lab fixture: runs inside the LAN namespace (`node --import tsx run-udp-mapping.ts '<json>'`). Learns
 * the TCP public port of local port P over TCP, searches for a UDP mapping on the same public port,
 * holds it with a UdpMapping, and echoes every datagram a peer sends to it back from the mapping's own
 * socket. Prints one JSON line per event on stdout (`kind`: tcp, pair, status, tcp-again); logs go to
 * stderr. SIGTERM stops and exits.
 */
import type { Logger } from "@autostun/plugins-api";
import { punchStun } from "../../punch/stun-race.js";
import { findEqualPortPair } from "../equal-pair.js";
import { type EqualPortBudget, findEqualPortUdp } from "../equal-port.js";
import { chooseFreeDualPort } from "../free-dual-port.js";
import { UdpMapping } from "../udp-mapping.js";
import { UdpStunPort } from "../udp-stun-port.js";
import type { UdpMappingTiming } from "../udp-timing.js";

export interface RunUdpMappingConfig {
  stunTcp: string[];
  stunUdp: string[];
  /** P for the TCP side; 0 chooses a port free for both TCP and UDP. */
  tcpLocalPort: number;
  timing: Partial<UdpMappingTiming>;
  budget?: Partial<EqualPortBudget>;
  tryDirect?: boolean;
  /** Stop after the search (benchmarks): print the pair line and exit. */
  searchOnly?: boolean;
  /** Hold a mapping of this local UDP port without any pairing (no TCP side, no search). */
  udpOnlyPort?: number;
  /** Bind UDP port T on this host before the search, as another program holding it would. */
  occupyUdpT?: boolean;
  /** When the UDP-only search fails, search a pair that moves TCP too (`findEqualPortPair`). */
  movePair?: boolean;
  tryReverseDirect?: boolean;
  /** Skip the UDP-only search and go straight to the pair search (benchmarks). */
  pairOnly?: boolean;
}

const config = JSON.parse(process.argv[2] ?? "{}") as RunUdpMappingConfig;
const print = (line: object) => process.stdout.write(`${JSON.stringify({ ...line, at: Date.now() })}\n`);
const logger = Object.fromEntries(
  (["debug", "info", "warn", "error"] as const).map((level) => [
    level,
    (message: string) => process.stderr.write(`${level} ${message}\n`),
  ]),
) as unknown as Logger;

if (config.udpOnlyPort) {
  const port = await UdpStunPort.open(config.udpOnlyPort);
  hold(port);
} else {
  await pairThenHold();
}

async function pairThenHold(): Promise<void> {
  let tcpLocalPort = config.tcpLocalPort || (await chooseFreeDualPort());
  const tcp = await punchStun(config.stunTcp, { localPort: tcpLocalPort, timeoutMs: 3_000 });
  print({ kind: "tcp", localPort: tcpLocalPort, publicAddress: tcp.publicAddress });

  if (config.occupyUdpT) await UdpStunPort.open(tcp.publicAddress.port);
  const started = Date.now();
  const outcome = await findEqualPortUdp({
    ...(config.pairOnly ? { budget: { maxSockets: 0 }, tryDirect: false } : {}),
    tcpPublicAddress: tcp.publicAddress,
    tcpLocalPort,
    stunServers: config.stunUdp,
    ...(config.pairOnly ? {} : { budget: config.budget, tryDirect: config.tryDirect }),
  });
  print({
    kind: "pair",
    found: outcome.found,
    ms: Date.now() - started,
    publicAddress: outcome.found ? outcome.publicAddress : undefined,
    localPort: outcome.found ? outcome.port.localPort : undefined,
    via: outcome.found ? outcome.via : undefined,
    reason: outcome.found ? undefined : outcome.reason,
    tried: outcome.tried,
  });
  let port = outcome.found ? outcome.port : undefined;
  if (!outcome.found && config.movePair) {
    const moved = await findEqualPortPair({
      stunTcp: config.stunTcp,
      stunUdp: config.stunUdp,
      budget: config.budget,
      tryReverseDirect: config.tryReverseDirect,
    });
    print({
      kind: "pair-moved",
      found: moved.found,
      publicAddress: moved.found ? moved.publicAddress : undefined,
      udpLocalPort: moved.found ? moved.udp.localPort : undefined,
      tcpLocalPort: moved.found ? moved.tcp.localPort : undefined,
      via: moved.found ? moved.via : undefined,
      reason: moved.found ? undefined : moved.reason,
      tried: moved.tried,
    });
    if (moved.found) {
      // The tunnel would re-open from the new local port now; here a punch from it shows the TCP side.
      moved.tcp.release();
      tcpLocalPort = moved.tcp.localPort;
      port = moved.udp;
    }
  }
  if (!port || config.searchOnly) {
    await port?.close();
    process.exit(0);
  }

  hold(port);
  process.on("SIGUSR2", () => {
    // The TCP side again from P: the test compares it with the UDP side after a disturbance.
    void punchStun(config.stunTcp, { localPort: tcpLocalPort, timeoutMs: 3_000 }).then(
      (again) => print({ kind: "tcp-again", publicAddress: again.publicAddress }),
      (error: unknown) => print({ kind: "tcp-again", error: String(error) }),
    );
  });
}

/** Keep `port`'s mapping with a UdpMapping and echo every peer's datagram from that same socket. */
function hold(port: UdpStunPort): void {
  port.onDatagram((data, from) => {
    void port.send(Buffer.concat([Buffer.from("echo:"), data]), {
      address: from.address,
      port: from.port,
    });
  });
  const mapping = new UdpMapping({
    id: "lab",
    stunServers: config.stunUdp,
    adopt: port,
    logger,
    timing: config.timing,
  });
  mapping.onChange(({ status }) => print({ kind: "status", ...status }));
  process.once("SIGTERM", () => {
    void mapping.stop().then(() => process.exit(0));
  });
  mapping.start();
}
