/**
 * Lab fixture: runs inside the LAN namespace (`node --import tsx run-udp-mapping.ts '<json>'`). Learns
 * the TCP public port of local port P over TCP, searches for a UDP mapping on the same public port,
 * holds it with a UdpMapping, and echoes every datagram a peer sends to it back from the mapping's own
 * socket. Prints one JSON line per event on stdout (`kind`: tcp, pair, status, tcp-again); logs go to
 * stderr. SIGTERM stops and exits.
 */
import type { Logger } from "@autostun/plugins-api";
import { punchStun } from "../../punch/stun-race.js";
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
  const tcpLocalPort = config.tcpLocalPort || (await chooseFreeDualPort());
  const tcp = await punchStun(config.stunTcp, { localPort: tcpLocalPort, timeoutMs: 3_000 });
  print({ kind: "tcp", localPort: tcpLocalPort, publicAddress: tcp.publicAddress });

  const started = Date.now();
  const outcome = await findEqualPortUdp({
    tcpPublicAddress: tcp.publicAddress,
    tcpLocalPort,
    stunServers: config.stunUdp,
    budget: config.budget,
    tryDirect: config.tryDirect,
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
  if (!outcome.found || config.searchOnly) {
    if (outcome.found) await outcome.port.close();
    process.exit(0);
  }

  hold(outcome.port);
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
