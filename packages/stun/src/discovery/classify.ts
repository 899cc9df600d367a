import { normalizeIp } from "../message/ip.js";
import type { NatBehaviour, NatType } from "./types.js";

export interface MappedPoint {
  address: string;
  port: number;
}

function same(a: MappedPoint, b: MappedPoint): boolean {
  return a.port === b.port && normalizeIp(a.address) === normalizeIp(b.address);
}

/**
 * RFC 5780 section 4.3 from the mapped addresses seen by test I (primary), test II (alternate IP,
 * primary port) and test III (alternate IP and port), all sent from one local port.
 */
export function mappingFromTests(
  test1?: MappedPoint,
  test2?: MappedPoint,
  test3?: MappedPoint,
): NatBehaviour {
  if (!test1 || !test2) return "UNKNOWN";
  if (same(test1, test2)) return "ENDPOINT_INDEPENDENT";
  // Without test III we only know the mapping changes with the destination address.
  if (!test3) return "ADDRESS_DEPENDENT";
  return same(test2, test3) ? "ADDRESS_DEPENDENT" : "ADDRESS_AND_PORT_DEPENDENT";
}

/**
 * RFC 5780 section 4.4: whether, after test I opened the filter towards the primary address only,
 * an answer came back from the alternate IP and port (test II) and from the alternate port (test III).
 */
export function filteringFromTests(
  answeredFromOtherIpAndPort: boolean,
  answeredFromOtherPort: boolean,
): NatBehaviour {
  if (answeredFromOtherIpAndPort) return "ENDPOINT_INDEPENDENT";
  if (answeredFromOtherPort) return "ADDRESS_DEPENDENT";
  return "ADDRESS_AND_PORT_DEPENDENT";
}

/**
 * Fallback when no server can do behaviour tests: the mappings several servers saw for one local
 * port (as tailscale's netcheck does). Equal everywhere means endpoint independent (at least for
 * the destinations tried); different for servers on one IP means it depends on the port too.
 */
export function mappingFromServers(seen: { server: MappedPoint; mapped: MappedPoint }[]): NatBehaviour {
  if (seen.length < 2) return "UNKNOWN";
  const first = seen[0]!;
  if (seen.every((s) => same(s.mapped, first.mapped))) return "ENDPOINT_INDEPENDENT";
  for (let i = 0; i < seen.length; i++) {
    for (let j = i + 1; j < seen.length; j++) {
      const a = seen[i]!;
      const b = seen[j]!;
      if (normalizeIp(a.server.address) === normalizeIp(b.server.address) && !same(a.mapped, b.mapped)) {
        return "ADDRESS_AND_PORT_DEPENDENT";
      }
    }
  }
  return "ADDRESS_DEPENDENT";
}

export interface ClassifyInput {
  /** UDP servers that were actually probed (resolved and sent to). */
  udpServersProbed: number;
  /** Whether any UDP server answered at all. */
  udpAnswered: boolean;
  /**
   * Enough UDP datagrams went unanswered that loss alone is no longer a likely reason. Without it, no
   * answer only means nothing is known: a lossy path must not read as blocked UDP.
   */
  udpSilenceConfirmed: boolean;
  /** The mapped UDP address is one of this host's own addresses, same port. */
  mappedIsLocal: boolean;
  mapping: NatBehaviour;
  filtering: NatBehaviour;
}

/** The NAT type from measured behaviours: a pure function, so every combination is unit-tested. */
export function classifyNat(input: ClassifyInput): NatType {
  if (input.udpServersProbed > 0 && !input.udpAnswered && input.udpSilenceConfirmed) return "UDP_BLOCKED";
  if (!input.udpAnswered) return "UNKNOWN";
  if (input.mappedIsLocal) return "OPEN";
  switch (input.mapping) {
    case "ADDRESS_DEPENDENT":
    case "ADDRESS_AND_PORT_DEPENDENT":
      return "NAT4";
    case "UNKNOWN":
      return "UNKNOWN";
    case "ENDPOINT_INDEPENDENT":
      switch (input.filtering) {
        case "ENDPOINT_INDEPENDENT":
          return "NAT1";
        case "ADDRESS_DEPENDENT":
          return "NAT2";
        case "ADDRESS_AND_PORT_DEPENDENT":
          return "NAT3";
        case "UNKNOWN":
          return "UNKNOWN";
      }
  }
}
