import type { ChainSpec, SetSpec } from "@autostun/netfilter";
import type { TunnelObjectNames } from "./object-names.js";

// Right after the ban chain (-150) and before DNAT (-100): a peer over its limit is reset before the
// kernel hands the connection on, and counted with the blocked ones.
const LIMIT_PRIORITY = -149;

/**
 * The user-space forwarder's per-address limit, for kernel forwarding: `ct count` over a dynamic set
 * keyed by source address counts each address's connections conntrack still holds, so one address
 * cannot open thousands of forwarded connections to the target.
 */
export function perIpLimit(
  names: TunnelObjectNames,
  inbound: string,
  maxPerIp: number,
): { sets: SetSpec[]; chains: ChainSpec[] } {
  if (!Number.isInteger(maxPerIp) || maxPerIp < 1 || maxPerIp > 65_535)
    throw new Error(`the per-address connection limit must be 1-65535, not ${maxPerIp}`);
  const set = `${names.prefix}_peers`;
  return {
    sets: [{ name: set, type: "ipv4_addr", flags: ["dynamic"] }],
    chains: [
      {
        name: `${names.prefix}_limit`,
        hook: { type: "filter", hook: "prerouting", priority: LIMIT_PRIORITY },
        rules: [
          `${inbound} ct state new add @${set} { ip saddr ct count over ${maxPerIp} } counter name "${names.blocked}" reject with tcp reset`,
        ],
      },
    ],
  };
}
