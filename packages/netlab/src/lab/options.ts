import { randomDropRule } from "@autostun/netfilter";
import {
  type LabHomeRouter,
  type LabIpv6,
  type LabLoss,
  type LabOptions,
  type LabPortPool,
  type LabStunServer,
  NAT_TYPES,
  type NatType,
} from "./types.js";

const STUN_KINDS: readonly LabStunServer[] = ["ours", "coturn", "none"];

/** Check `createLab` options and fill in defaults; bad input is named in the error. */
export function resolveOptions(options: LabOptions): Required<LabOptions> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("createLab: options must be an object like { nat: 'NAT1' }");
  }
  const portPool = resolvePortPool(options.nat, options.portPool ?? false);
  if (portPool && options.portPreserving === true) {
    throw new TypeError(
      "createLab: options.portPool makes the router remap ports; it cannot be combined with portPreserving: true",
    );
  }
  const {
    nat,
    portPreserving = !portPool,
    stun = "ours",
    tcpSymmetric = false,
    loss = {},
    homeRouter = false,
    ipv6 = false,
  } = options;
  if (!NAT_TYPES.includes(nat as NatType)) {
    throw new TypeError(
      `createLab: options.nat must be one of ${NAT_TYPES.join(", ")}; got ${JSON.stringify(nat)}`,
    );
  }
  if (typeof portPreserving !== "boolean") {
    throw new TypeError(
      `createLab: options.portPreserving must be a boolean; got ${JSON.stringify(portPreserving)}`,
    );
  }
  if (!STUN_KINDS.includes(stun)) {
    throw new TypeError(
      `createLab: options.stun must be one of ${STUN_KINDS.join(", ")}; got ${JSON.stringify(stun)}`,
    );
  }
  if (typeof tcpSymmetric !== "boolean") {
    throw new TypeError(
      `createLab: options.tcpSymmetric must be a boolean; got ${JSON.stringify(tcpSymmetric)}`,
    );
  }
  if (tcpSymmetric && nat === "OPEN") {
    throw new TypeError("createLab: options.tcpSymmetric needs a NAT; OPEN has none");
  }
  return {
    nat,
    portPreserving,
    stun,
    tcpSymmetric,
    loss: resolveLoss(loss),
    homeRouter: resolveHome(nat, homeRouter),
    portPool,
    ipv6: resolveIpv6(ipv6),
  };
}

function resolveIpv6(ipv6: LabIpv6 | false): LabIpv6 | false {
  if (ipv6 === false) return false;
  if (typeof ipv6 !== "object" || ipv6 === null || Array.isArray(ipv6) || typeof ipv6.firewall !== "boolean")
    throw new TypeError(
      `createLab: options.ipv6 must be false or { firewall: true | false }; got ${JSON.stringify(ipv6)}`,
    );
  return { firewall: ipv6.firewall };
}

/** Check a port block: whole numbers, inside 1–65535, and a NAT to apply it. */
function resolvePortPool(nat: unknown, pool: LabPortPool | false): LabPortPool | false {
  if (pool === false) return false;
  const shape = "false or { first, size, random } (e.g. { first: 20480, size: 1024, random: true })";
  if (typeof pool !== "object" || pool === null || Array.isArray(pool))
    throw new TypeError(`createLab: options.portPool must be ${shape}; got ${JSON.stringify(pool)}`);
  const { first, size, random } = pool;
  if (!Number.isInteger(first) || first < 1 || first > 65535)
    throw new TypeError(
      `createLab: options.portPool.first must be a port 1-65535; got ${JSON.stringify(first)}`,
    );
  if (!Number.isInteger(size) || size < 1)
    throw new TypeError(
      `createLab: options.portPool.size must be a whole number >= 1; got ${JSON.stringify(size)}`,
    );
  if (first + size - 1 > 65535)
    throw new TypeError(
      `createLab: options.portPool runs past port 65535 (first ${first} + size ${size} ends at ${first + size - 1})`,
    );
  if (typeof random !== "boolean")
    throw new TypeError(
      `createLab: options.portPool.random must be a boolean; got ${JSON.stringify(random)}`,
    );
  if (nat === "OPEN") throw new TypeError("createLab: options.portPool needs a NAT; OPEN has none");
  return { first, size, random };
}

function resolveHome(nat: NatType, home: LabHomeRouter | false): LabHomeRouter | false {
  if (home === false) return false;
  if (typeof home !== "object" || home === null || (home.upnp !== "allow" && home.upnp !== "deny"))
    throw new TypeError(
      `createLab: options.homeRouter must be false or { upnp: "allow" | "deny" }; got ${JSON.stringify(home)}`,
    );
  // The home router's WAN address sits on the ISP router's LAN; OPEN routes a public subnet there instead.
  if (nat === "OPEN")
    throw new TypeError("createLab: options.homeRouter needs a NAT in front; OPEN has none");
  return { upnp: home.upnp };
}

/** Check a loss setting (`{ udp: 30 }`): only udp and tcp, each a whole percentage. */
export function resolveLoss(loss: LabLoss): LabLoss {
  if (typeof loss !== "object" || loss === null || Array.isArray(loss))
    throw new TypeError(`netlab: loss must be an object like { udp: 30 }; got ${JSON.stringify(loss)}`);
  const out: LabLoss = {};
  for (const [key, value] of Object.entries(loss)) {
    if (key !== "udp" && key !== "tcp")
      throw new TypeError(`netlab: loss takes udp and tcp percentages; got the key ${JSON.stringify(key)}`);
    try {
      randomDropRule(key, value as number);
    } catch (error) {
      throw new TypeError(`netlab: ${(error as Error).message}`);
    }
    out[key] = value as number;
  }
  return out;
}

/** The lab drives `ip netns` and `nft`, which only root may do. */
export function assertRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new Error(
      "netlab needs root: it creates network namespaces and nftables rules. " +
        "Run the lab (and the tests that use it) as root, e.g. `sudo npx vitest run --project netlab`.",
    );
  }
}
