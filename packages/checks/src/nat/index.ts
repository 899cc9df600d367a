import {
  type CheckResult,
  type ExtensionContext,
  type Gatherer,
  Services,
  type StunSettings,
} from "@autostun/plugins-api";
import { discoverNat, type NatDiscoveryResult } from "@autostun/stun";
import { natVerdict } from "./nat-verdict.js";
import { publicIpVerdict } from "./public-ip-verdict.js";

/** One discovery per diagnosis, shared by nat.type and network.public-ip (and any plugin that asks). */
export const NAT_DISCOVERY = "nat.discovery";

type Discovery = NatDiscoveryResult | { skipped: "no-servers" };

const SKIPPED: CheckResult = {
  status: "SKIP",
  summary: {
    en: "No STUN servers are configured (stun.udp and stun.tcp are empty)",
    "zh-CN": "没有配置 STUN 服务器（stun.udp 和 stun.tcp 都为空）",
  },
  facts: { servers: [] },
};

export function activate(context: ExtensionContext): void {
  const timeoutMs = typeof context.config.timeoutMs === "number" ? context.config.timeoutMs : 8000;
  const rto = typeof context.config.rto === "number" ? context.config.rto : 200;
  const gatherer: Gatherer<Discovery> = {
    async gather({ services, signal }) {
      const stun = services.get<StunSettings>(Services.StunSettings);
      if (stun.udp.length === 0 && stun.tcp.length === 0) return { skipped: "no-servers" };
      return discoverNat({ udpServers: [...stun.udp], tcpServers: [...stun.tcp], signal, timeoutMs, rto });
    },
  };
  context.subscriptions.push(
    context.registerGatherer(NAT_DISCOVERY, gatherer),
    context.registerCheck("nat.type", {
      async run(ctx) {
        const discovery = await ctx.gather<Discovery>(NAT_DISCOVERY);
        return "skipped" in discovery ? SKIPPED : natVerdict(discovery);
      },
    }),
    context.registerCheck("network.public-ip", {
      async run(ctx) {
        const addresses = await ctx.services.get(Services.NetworkInfo).addresses();
        const discovery = await ctx.gather<Discovery>(NAT_DISCOVERY);
        return publicIpVerdict(addresses, "skipped" in discovery ? undefined : discovery);
      },
    }),
  );
}
