import { type ExtensionContext, Services, type StunSettings } from "@autostun/plugins-api";
import { probeAddress, readHostIpv6 } from "./host-facts.js";
import { measureRouterFiltering } from "./router-filtering.js";
import { decideIpv6 } from "./verdict.js";

/**
 * Built-in check `ipv6.reachability`: over IPv6 no NAT stands between peers and the downloader, only
 * firewalls. It reads the host's IPv6 addresses and route, whether the downloader's port accepts IPv6,
 * and measures the router's inbound filtering with RFC 5780 discovery against `stun.udp` over IPv6.
 */
export function activate(context: ExtensionContext): void {
  const timeoutMs = typeof context.config.timeoutMs === "number" ? context.config.timeoutMs : 8000;
  const rto = typeof context.config.rto === "number" ? context.config.rto : 200;
  context.subscriptions.push(
    context.registerCheck("ipv6.reachability", {
      async run({ services, signal }) {
        // Read per run, so a bad value fails this check with its name, not the extension's activation.
        const port = configuredPort(context.config);
        const platform = services.get(Services.HostInfo).platform;
        if (platform !== "linux" && platform !== "dsm")
          return decideIpv6({
            platform,
            host: { addresses: [], defaultRoute: "none", listeners: null, unreadable: [] },
            port,
            router: undefined,
          });
        const host = await readHostIpv6(services.get(Services.CommandRunner), port, signal);
        const from = probeAddress(host);
        let router: Awaited<ReturnType<typeof measureRouterFiltering>> | "no-servers" | undefined;
        if (from && host.defaultRoute !== null && host.defaultRoute !== "none") {
          const servers = services.get<StunSettings>(Services.StunSettings).udp;
          router =
            servers.length === 0
              ? "no-servers"
              : await measureRouterFiltering({ from, servers, signal, timeoutMs, rto });
        }
        return decideIpv6({ platform, host, port, router });
      },
    }),
  );
}

/** `plugins.config["@autostun/check-ipv6-reachability"].port`: the downloader's peer port, when given. */
function configuredPort(config: Readonly<Record<string, unknown>>): number | undefined {
  const value = config.port;
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 65535)
    throw new Error(
      `plugins.config["@autostun/check-ipv6-reachability"].port must be an integer from 1 to 65535, got ${JSON.stringify(value)}`,
    );
  return value;
}
