import { type ResolvedEndpoint, resolveEndpoint } from "../punch/endpoint.js";
import type { PublicAddress } from "../punch/stun-race.js";
import { punchUdp } from "./udp-punch.js";
import { type UdpAskOptions, UdpBindError, UdpStunPort } from "./udp-stun-port.js";

/**
 * What one equal-port search may spend. The defaults keep a search to a few seconds and to at most
 * about 200 small datagrams spread over the configured servers, paced in batches: a public STUN
 * server sees less from us than from one browser opening a video call.
 */
export interface EqualPortBudget {
  /** UDP sockets bound in all, the direct tries included. */
  maxSockets: number;
  /** STUN datagrams sent in all, retransmissions included. */
  maxPackets: number;
  /** Wall time for the whole search. */
  maxMs: number;
  /** Sockets asked at once in the search phase; the next batch waits for this one's answers. */
  batchSize: number;
  /** Pause between two batches. */
  batchPauseMs: number;
}

export const EQUAL_PORT_BUDGET: Readonly<EqualPortBudget> = {
  maxSockets: 64,
  maxPackets: 200,
  maxMs: 20_000,
  batchSize: 8,
  batchPauseMs: 250,
};

/** How the gateway seems to pick public UDP ports, judged from the search's own sockets. */
export type PortAllocation = "preserving" | "sequential" | "random" | "unknown";

/** What a search spent and saw; carried by both outcomes so a user can see what was tried. */
export interface EqualPortTried {
  /** The TCP public port the UDP side had to match. */
  wantedPort: number;
  /** Local ports tried first, one by one, each with every server raced. */
  direct: { localPort: number; outcome: string }[];
  sockets: number;
  packets: number;
  elapsedMs: number;
  /** Distinct public UDP ports the gateway handed out during the search. */
  publicPortsSeen: number;
  allocation: PortAllocation;
}

export type EqualPortFailureCode =
  /** No STUN server answered over UDP at all: UDP is blocked or the servers are down. */
  | "NO_UDP_ANSWER"
  /** The gateway keeps inside ports, and the wanted port could not be bound here or is taken on the gateway. */
  | "PORT_TAKEN"
  /** The gateway counts ports up, and the wanted port is behind it or farther ahead than the budget reaches. */
  | "OUT_OF_REACH"
  /** UDP leaves from another public IP than TCP (a gateway with several addresses). */
  | "OTHER_PUBLIC_IP"
  /** Every socket, packet or second of the budget was spent without a match. */
  | "BUDGET_SPENT";

/** Why no UDP mapping with the TCP public port was found. The TCP side is not touched by a search. */
export interface EqualPortFailure {
  code: EqualPortFailureCode;
  message: string;
}

export type EqualPortOutcome =
  | {
      found: true;
      /** The socket holding the matching mapping; the caller keeps it alive (UdpMapping `adopt`). */
      port: UdpStunPort;
      publicAddress: PublicAddress;
      via: "direct" | "search";
      tried: EqualPortTried;
    }
  | { found: false; reason: EqualPortFailure; tried: EqualPortTried };

export interface EqualPortOptions {
  /** The TCP tunnel's public address: UDP must come out on this IP and port. */
  tcpPublicAddress: PublicAddress;
  /** The TCP tunnel's local port P (on a port-preserving gateway the same as the public port). */
  tcpLocalPort?: number;
  /** `stun.udp` servers, "host:port". */
  stunServers: readonly string[];
  budget?: Partial<EqualPortBudget>;
  /** One Binding of a direct try (every server raced). */
  directAsk?: Omit<UdpAskOptions, "signal">;
  /** One Binding of a search socket (one server each, in turn). */
  searchAsk?: Omit<UdpAskOptions, "signal">;
  bindAddress?: string;
  /**
   * Local UDP ports the search must not keep: the downloader on this host listens on the public port,
   * so a mapping held there would take its uTP socket.
   */
  avoidLocalPorts?: readonly number[];
  /** Skip the direct tries (benchmarks measure the search alone with this). Default true. */
  tryDirect?: boolean;
  signal?: AbortSignal;
}

const DIRECT_ASK: Omit<UdpAskOptions, "signal"> = { rtoMs: 500, maxSends: 3, timeoutMs: 3_500 };
const SEARCH_ASK: Omit<UdpAskOptions, "signal"> = { rtoMs: 500, maxSends: 2, timeoutMs: 2_500 };

interface Sample {
  localPort: number;
  publicAddress: PublicAddress;
}

/** A guess from the search sockets' ports; direct tries are left out (they ask for a port on purpose). */
export function guessAllocation(samples: readonly Sample[]): PortAllocation {
  if (samples.length < 4) return "unknown";
  const kept = samples.filter((s) => s.publicAddress.port === s.localPort).length;
  if (kept >= samples.length * 0.8) return "preserving";
  const ports = samples.map((s) => s.publicAddress.port).sort((a, b) => a - b);
  const span = ports.at(-1)! - ports[0]!;
  // A gateway counting up hands a batch asked at once a run of nearby ports (others' traffic interleaves).
  return span <= samples.length * 4 ? "sequential" : "random";
}

function elapsedSince(start: number): number {
  return Date.now() - start;
}

/**
 * Find (and keep) a UDP mapping whose public address equals the TCP tunnel's public address, within
 * `budget`. Strategy, cheapest first:
 *
 * 1. Direct: bind local UDP port = the TCP public port T (then the TCP local port P if different) and
 *    ask every server. A port-preserving gateway, and a remapping one that keeps an inside port when
 *    it is in its pool and free (Linux's SNAT with a port range does), give T at the first try.
 * 2. Search: bind sockets on ports the OS picks, `batchSize` at a time, one Binding each to one
 *    server in turn, holding every socket so the gateway cannot hand a seen port out again. After
 *    the first batch the gateway's allocation is judged: a preserving gateway cannot give T to
 *    another inside port (stop), a counting one can only reach T if T lies ahead within the budget
 *    (else stop); a random one is searched until the budget is spent.
 *
 * The match is returned open; every other socket is closed before this resolves.
 */
export async function findEqualPortUdp(options: EqualPortOptions): Promise<EqualPortOutcome> {
  const budget = { ...EQUAL_PORT_BUDGET, ...options.budget };
  const directAsk = { ...DIRECT_ASK, ...options.directAsk };
  const searchAsk = { ...SEARCH_ASK, ...options.searchAsk };
  const start = Date.now();
  const wanted = options.tcpPublicAddress;
  const tried: EqualPortTried = {
    wantedPort: wanted.port,
    direct: [],
    sockets: 0,
    packets: 0,
    elapsedMs: 0,
    publicPortsSeen: 0,
    allocation: "unknown",
  };
  const seen = new Set<number>();
  const held: UdpStunPort[] = [];
  let answered = false;
  let otherIp: string | undefined;
  const matches = (address: PublicAddress) => {
    seen.add(address.port);
    if (address.ip !== wanted.ip) otherIp ??= address.ip;
    return address.ip === wanted.ip && address.port === wanted.port;
  };
  const finish = async (
    outcome: { port: UdpStunPort; publicAddress: PublicAddress; via: "direct" | "search" } | EqualPortFailure,
  ): Promise<EqualPortOutcome> => {
    const keep = "port" in outcome ? outcome.port : undefined;
    await Promise.all(held.filter((p) => p !== keep).map((p) => p.close()));
    tried.elapsedMs = elapsedSince(start);
    tried.publicPortsSeen = seen.size;
    return "port" in outcome ? { found: true, ...outcome, tried } : { found: false, reason: outcome, tried };
  };
  const open = async (localPort: number): Promise<UdpStunPort> => {
    const port = await UdpStunPort.open(localPort, options.bindAddress);
    tried.sockets++;
    held.push(port);
    return port;
  };
  const count = (port: UdpStunPort, before: number) => {
    tried.packets += port.packetsSent - before;
  };

  if (options.stunServers.length === 0) {
    return finish({ code: "NO_UDP_ANSWER", message: "no STUN server over UDP is configured (stun.udp)" });
  }
  const resolved = new Map<string, ResolvedEndpoint>();
  const resolve = async (server: string) => {
    let endpoint = resolved.get(server);
    if (!endpoint) {
      endpoint = await resolveEndpoint(server, `STUN server ${server}`);
      resolved.set(server, endpoint);
    }
    return endpoint;
  };

  // 1. Direct tries.
  const direct = (options.tryDirect === false ? [] : [wanted.port, options.tcpLocalPort]).filter(
    (p, i, all): p is number =>
      typeof p === "number" && p > 0 && all.indexOf(p) === i && !options.avoidLocalPorts?.includes(p),
  );
  for (const localPort of direct) {
    if (tried.sockets >= budget.maxSockets) break;
    let port: UdpStunPort;
    try {
      port = await open(localPort);
    } catch (error) {
      tried.direct.push({
        localPort,
        outcome: error instanceof UdpBindError && error.busy ? "busy on this host" : String(error),
      });
      continue;
    }
    try {
      const result = await punchUdp(
        port,
        options.stunServers,
        { ...directAsk, signal: options.signal },
        resolve,
      );
      answered = true;
      count(port, 0);
      tried.direct.push({
        localPort,
        outcome: `public ${result.publicAddress.ip}:${result.publicAddress.port}`,
      });
      if (matches(result.publicAddress)) {
        return finish({ port, publicAddress: result.publicAddress, via: "direct" });
      }
    } catch (error) {
      count(port, 0);
      tried.direct.push({ localPort, outcome: error instanceof Error ? error.message : String(error) });
    }
    held.splice(held.indexOf(port), 1);
    await port.close();
  }
  if (!answered && tried.direct.length > 0 && tried.direct.every((d) => !d.outcome.startsWith("busy"))) {
    return finish({
      code: "NO_UDP_ANSWER",
      message: `no STUN server answered over UDP (${tried.direct.map((d) => d.outcome).join("; ")}); UDP may be blocked on the way out`,
    });
  }

  // 2. Search on ports the OS picks.
  const samples: Sample[] = [];
  let turn = 0;
  while (!options.signal?.aborted) {
    const socketsLeft = budget.maxSockets - tried.sockets;
    const packetsLeft = Math.floor((budget.maxPackets - tried.packets) / searchAsk.maxSends);
    const n = Math.min(budget.batchSize, socketsLeft, packetsLeft);
    if (n <= 0 || elapsedSince(start) >= budget.maxMs) break;
    const batch: Promise<{ port: UdpStunPort; address?: PublicAddress }>[] = [];
    for (let i = 0; i < n; i++) {
      const server = options.stunServers[turn++ % options.stunServers.length]!;
      batch.push(
        (async () => {
          const port = await open(0);
          try {
            const endpoint = await resolve(server);
            const address = await port.ask(endpoint, { ...searchAsk, signal: options.signal });
            return { port, address };
          } catch {
            return { port };
          } finally {
            count(port, 0);
          }
        })(),
      );
    }
    const settled = await Promise.allSettled(batch);
    for (const result of settled) {
      if (result.status !== "fulfilled" || !result.value.address) continue;
      const { port, address } = result.value;
      answered = true;
      if (matches(address) && !options.avoidLocalPorts?.includes(port.localPort)) {
        return finish({ port, publicAddress: address, via: "search" });
      }
      samples.push({ localPort: port.localPort, publicAddress: address });
    }
    tried.allocation = guessAllocation(samples);
    if (!answered) {
      return finish({
        code: "NO_UDP_ANSWER",
        message: `no STUN server answered a Binding over UDP from ${tried.sockets} sockets; UDP may be blocked on the way out`,
      });
    }
    if (otherIp && samples.every((s) => s.publicAddress.ip !== wanted.ip)) {
      return finish({
        code: "OTHER_PUBLIC_IP",
        message: `UDP leaves from public IP ${otherIp}, TCP from ${wanted.ip}: no UDP port can equal the TCP one on another address`,
      });
    }
    if (tried.allocation === "preserving") {
      return finish({
        code: "PORT_TAKEN",
        message:
          `the gateway keeps inside ports for UDP, so only local UDP port ${wanted.port} could come out as public port ${wanted.port}, ` +
          `and it did not (${tried.direct.map((d) => `port ${d.localPort}: ${d.outcome}`).join("; ") || "not tried"})`,
      });
    }
    if (tried.allocation === "sequential") {
      const highest = Math.max(...samples.map((s) => s.publicAddress.port));
      const reach = (budget.maxSockets - tried.sockets) * 2;
      if (wanted.port <= highest || wanted.port - highest > reach) {
        return finish({
          code: "OUT_OF_REACH",
          message: `the gateway hands out UDP ports counting up (last seen ${highest}); port ${wanted.port} is ${wanted.port <= highest ? "behind that" : "farther ahead than the budget reaches"}`,
        });
      }
    }
    await new Promise((r) => setTimeout(r, budget.batchPauseMs));
  }
  return finish({
    code: "BUDGET_SPENT",
    message: `no UDP mapping came out on public port ${wanted.port} within the budget (${tried.sockets} sockets, ${tried.packets} STUN datagrams, ${Math.round(elapsedSince(start) / 100) / 10} s); the gateway picks UDP ports ${tried.allocation === "random" ? "at random" : "in a way not recognised"}`,
  });
}
