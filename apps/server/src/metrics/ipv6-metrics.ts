import type { RelayManager } from "@autostun/tunnels";
import { Gauge, type Registry } from "prom-client";

/**
 * The IPv6 pinholes on the home router (config `upnp`): whether the router lets peers in per transport,
 * and how long its lease still runs. A tunnel with no pinhole asked for (upnp off, or not opened yet)
 * has no series, so a dashboard can tell "not asked" from "closed".
 */
export function registerIpv6Metrics(registry: Registry, relay: () => RelayManager): void {
  const pinholes = () =>
    relay()
      .list()
      .flatMap((view) => {
        const pinhole = relay().ipv6Status(view.config.id)?.pinhole;
        return pinhole ? [{ tunnel: view.config.id, udp: view.config.udp, pinhole }] : [];
      });

  new Gauge({
    name: "autostun_tunnel_ipv6_pinhole_open",
    help: "1 while the home router lets IPv6 peers in to the downloader's port over this transport, 0 otherwise; udp only for a tunnel with udp: true",
    labelNames: ["tunnel", "transport"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { tunnel, udp, pinhole } of pinholes()) {
        this.set({ tunnel, transport: "tcp" }, pinhole.state === "OPEN" && pinhole.tcp ? 1 : 0);
        if (udp) this.set({ tunnel, transport: "udp" }, pinhole.state === "OPEN" && pinhole.udp ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: "autostun_tunnel_ipv6_pinhole_lease_seconds",
    help: "seconds until the router's lease of the IPv6 pinhole ends (renewed before); absent while none is held",
    labelNames: ["tunnel"] as const,
    registers: [registry],
    collect() {
      this.reset();
      const now = Date.now();
      for (const { tunnel, pinhole } of pinholes())
        if (pinhole.state === "OPEN" && pinhole.leaseEndsAt)
          this.set({ tunnel }, Math.max(0, Math.round((pinhole.leaseEndsAt.getTime() - now) / 1000)));
    },
  });
}
