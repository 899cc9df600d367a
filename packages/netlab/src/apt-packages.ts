/**
 * Debian packages the lab runs: `ip` (iproute2, also `ss`), `nft` (nftables), coturn's
 * `turnserver`, the RFC 3489 client `stun` (stun-client) used to cross-check the lab,
 * socat for probes by hand and in tests, conntrack to make the router forget mappings, and
 * miniupnpd (its nftables build) as the home router's UPnP IGD / NAT-PMP gateway in the two-level lab.
 */
export const LAB_APT_PACKAGES: readonly string[] = [
  "iproute2",
  "nftables",
  "coturn",
  "stun-client",
  "socat",
  "conntrack",
  "miniupnpd-nftables",
];

/** The Debian packages a machine needs before it can build a lab (for CI setup scripts). */
export function labAptPackages(): string[] {
  return [...LAB_APT_PACKAGES];
}

/**
 * Absolute path of Debian's RFC 3489 client. Spelled out because under `npx`/`tsx` the
 * PATH starts with node_modules/.bin, where the `stun` npm package installs a *server*
 * of the same name.
 */
export const STUN_CLIENT_BIN = "/usr/bin/stun";
