/** How a NAT maps or filters (RFC 4787 terms, as RFC 5780 measures them). */
export type NatBehaviour =
  | "ENDPOINT_INDEPENDENT"
  | "ADDRESS_DEPENDENT"
  | "ADDRESS_AND_PORT_DEPENDENT"
  | "UNKNOWN";

/**
 * The verdict: NAT1 = endpoint-independent mapping and filtering (full cone), NAT2 = address-
 * dependent filtering, NAT3 = address-and-port-dependent filtering, NAT4 = mapping that depends on
 * the destination (symmetric). OPEN = no NAT (the mapped address is one of ours).
 */
export type NatType = "NAT1" | "NAT2" | "NAT3" | "NAT4" | "OPEN" | "UDP_BLOCKED" | "UNKNOWN";

/** What a server did when asked to answer from its other address/port. */
export type ChangeRequestOutcome = "honoured" | "ignored" | "lied" | "untested";

/** One configured server and how it fared. */
export interface ServerReport {
  /** As configured ("host:port"). */
  server: string;
  transport: "udp" | "tcp";
  /** "behaviour": its RFC 5780 tests gave the verdict; "mapping": only its mapped address was compared. */
  role?: "behaviour" | "mapping";
  ok: boolean;
  /** Why it was skipped or could not be used for behaviour tests. */
  reason?: string;
  /** The address it was reached at, "ip:port". */
  address?: string;
  /** Its OTHER-ADDRESS (or CHANGED-ADDRESS), "ip:port". */
  otherAddress?: string;
  changeRequest?: ChangeRequestOutcome;
  /**
   * Per test, datagrams sent and transactions answered, over every attempt (UDP only). Tests:
   * `binding` (test I), `mapping-alt-ip` / `mapping-alt-ip-port` (tests II/III of the mapping),
   * `filtering-binding` (test I from the filtering port), `change-ip-port` / `change-port` (the
   * CHANGE-REQUEST probes) and `filtering-control` (plain requests sent beside them to measure the loss).
   */
  probes?: Record<string, ProbeCount>;
}

/** Datagrams sent for a test, and how many of its transactions were answered. */
export interface ProbeCount {
  sent: number;
  answered: number;
}

/**
 * Why the UDP behaviour stayed UNKNOWN although servers were asked: the answers that decide it were
 * missing and there was not enough evidence to call that filtering.
 * - `udp-silence-too-short`: no UDP answer at all, but too few datagrams to call UDP blocked
 * - `filtering-inconclusive`: the CHANGE-REQUEST answers were missing while too few controls came back
 * - `mapping-inconclusive`: the mapping tests went unanswered
 * - `servers-disagree`: servers measured different mappings
 */
export type UdpUndecided =
  | "udp-silence-too-short"
  | "filtering-inconclusive"
  | "mapping-inconclusive"
  | "servers-disagree";

/** Result of {@link discoverNat}; plain JSON, it becomes the `nat.type` check's facts. */
export interface NatDiscoveryResult {
  natType: NatType;
  udp: {
    mapping: NatBehaviour;
    filtering: NatBehaviour;
    /** UDP datagrams sent and transactions answered, over all servers and attempts. */
    probes: ProbeCount;
    /** Whole UDP discoveries run: another follows one that lost the answers it needed. */
    attempts: number;
    undecided?: UdpUndecided;
  };
  tcp: { mapping: NatBehaviour };
  publicIp: string | null;
  localIp: string | null;
  /** Public "ip:port" of the UDP mapping probe. */
  mappedUdp?: string;
  /** Public "ip:port" of the first TCP connection. */
  mappedTcp?: string;
  servers: ServerReport[];
  durationMs: number;
}

export interface DiscoverNatOptions {
  /** UDP STUN servers, "host:port" (IPv6 as "[addr]:port"). */
  udpServers: string[];
  /** TCP STUN servers, "host:port". */
  tcpServers: string[];
  /** Local address to send from; default: the wildcard address. */
  localAddress?: string;
  /** Cap on the whole discovery in ms. Default 5000. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * UDP retransmission timeout in ms for first contact with a server. Default 100 (3 sends, 600 ms until
   * a silent server counts as unanswered). Later probes to a server that answered use 3 × its measured
   * round trip, bounded to 50–1000 ms.
   */
  rto?: number;
}
