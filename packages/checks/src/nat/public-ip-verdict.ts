import type { CheckResult, InterfaceAddress } from "@autostun/plugins-api";
import type { NatDiscoveryResult } from "@autostun/stun";
import { fillLocalized } from "../text/localized-params.js";
import { GUIDE_LINKS } from "../user-guide/links.js";
import { addressKindWords } from "./address-words.js";
import { classifyIpv4 } from "./ip-ranges.js";
import { messages } from "./messages.js";
import { serverVantage } from "./server-vantage.js";
import { insideVantageVerdict } from "./vantage-verdict.js";

/**
 * Says whether this host is reachable directly (a public IPv4 on an interface, or STUN sees our own
 * address): then plain port forwarding beats AutoSTUN. Otherwise it reports what sits between.
 */
export function publicIpVerdict(
  addresses: readonly InterfaceAddress[],
  discovery: NatDiscoveryResult | undefined,
): CheckResult {
  const ipv4 = addresses
    .filter((address) => address.family === "IPv4" && !address.internal)
    .map((address) => ({ ...address, kind: classifyIpv4(address.address) }));
  const publicIp = discovery?.publicIp ?? null;
  const facts = {
    interfaces: ipv4.map(({ interface: iface, address, kind }) => ({ interface: iface, address, kind })),
    publicIp,
    publicKind: publicIp ? (classifyIpv4(publicIp) ?? "ipv6") : null,
    localIp: discovery?.localIp ?? null,
  };
  const vantage = serverVantage(discovery);
  const guidance = {
    title: messages.text("ip.public.title"),
    steps: messages.steps("ip.public.steps"),
    docs: GUIDE_LINKS.publicIp,
  };
  const onInterface = ipv4.find((address) => address.kind === "public");
  if (onInterface) {
    return {
      status: "WARN",
      summary: messages.text("ip.summary.public-interface", {
        ip: onInterface.address,
        iface: onInterface.interface,
      }),
      facts,
      guidance,
    };
  }
  if (vantage && vantage.kind !== "internet") return insideVantageVerdict(vantage, facts);
  if (publicIp && ipv4.some((address) => address.address === publicIp)) {
    return {
      status: "WARN",
      summary: messages.text("ip.summary.mapped-local", { ip: publicIp }),
      facts,
      guidance,
    };
  }
  if (!publicIp) {
    return {
      status: "WARN",
      summary: messages.text("ip.summary.unknown"),
      facts,
      guidance: {
        title: messages.text("ip.unknown.title"),
        steps: messages.steps("ip.unknown.steps"),
        docs: GUIDE_LINKS.nat,
      },
    };
  }
  const local = ipv4.find((address) => address.address === discovery?.localIp) ?? ipv4[0];
  if (local?.kind === "cgnat") {
    return {
      status: "PASS",
      summary: messages.text("ip.summary.cgnat", { ip: local.address, publicIp }),
      facts,
    };
  }
  if (!local)
    return {
      status: "PASS",
      summary: messages.text("ip.summary.behind-nat.local-unknown", { publicIp }),
      facts,
    };
  return {
    status: "PASS",
    summary: fillLocalized(messages.text("ip.summary.behind-nat", { localIp: local.address, publicIp }), {
      localKind: addressKindWords(local.kind ?? "reserved"),
    }),
    facts,
  };
}
