import type { NatDiscoveryResult } from "@autostun/stun";
import { type AddressKind, classifyIpv4 } from "./ip-ranges.js";

/**
 * Where the answering STUN servers stand, judged from the address they saw us at. Only a server on the
 * internet sees what peers see; one on this host or inside a private network sees an inside address,
 * and a "no NAT" reading from it says nothing about the way in from the internet.
 */
export type ServerVantage =
  | { kind: "internet" }
  | { kind: "this-host"; seen: string }
  | { kind: "private-network"; seen: string; addressKind: AddressKind };

export function serverVantage(discovery: NatDiscoveryResult | undefined): ServerVantage | undefined {
  const seen = discovery?.publicIp;
  if (!seen) return undefined;
  const kind = classifyIpv4(seen);
  // Not IPv4 (an IPv6 mapping) or a public IPv4: the server is out on the internet.
  if (kind === undefined || kind === "public") return { kind: "internet" };
  if (kind === "loopback") return { kind: "this-host", seen };
  return { kind: "private-network", seen, addressKind: kind };
}
