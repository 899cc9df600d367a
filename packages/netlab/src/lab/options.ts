import { randomDropRule } from "@autostun/netfilter";
import {
  type LabHomeRouter,
  type LabLoss,
  type LabOptions,
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
  const {
    nat,
    portPreserving = true,
    stun = "ours",
    tcpSymmetric = false,
    loss = {},
    homeRouter = false,
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
  };
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
