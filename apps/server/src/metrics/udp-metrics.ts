import type { TunnelState } from "@autostun/relay";
import type { RelayManager, TunnelUdpStats } from "@autostun/tunnels";
import { Gauge, type Registry } from "prom-client";
import { perTunnelSeries } from "./per-tunnel-series.js";

const TUNNEL_STATES: readonly TunnelState[] = ["STOPPED", "OPENING", "OPEN", "RECOVERING", "FAILED"];

/**
 * The UDP side of every tunnel that has one (`udp: true`): its state and whether it shares the TCP port,
 * from the view, and its counters, from the relay's UDP stats. A tunnel with `udp: false` has no series
 * here at all, so a dashboard can tell "off" from "failing".
 */
export function registerUdpMetrics(registry: Registry, relay: () => RelayManager): void {
  const udpSides = () =>
    relay()
      .list()
      .flatMap((view) => (view.udp ? [{ tunnel: view.config.id, udp: view.udp }] : []));

  new Gauge({
    name: "autostun_tunnel_udp_state",
    help: "1 for the state the tunnel's UDP mapping is in, 0 for the others",
    labelNames: ["tunnel", "state"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { tunnel, udp } of udpSides())
        for (const state of TUNNEL_STATES) this.set({ tunnel, state }, udp.state === state ? 1 : 0);
    },
  });
  new Gauge({
    name: "autostun_tunnel_udp_same_port",
    help: "1 while the UDP public address equals the TCP one, so uTP and DHT reach the announced port; 0 otherwise",
    labelNames: ["tunnel"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { tunnel, udp } of udpSides()) this.set({ tunnel }, udp.samePort ? 1 : 0);
    },
  });
  new Gauge({
    name: "autostun_tunnel_udp_public_port",
    help: "the UDP mapping's public port; absent while it has no public address",
    labelNames: ["tunnel"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { tunnel, udp } of udpSides())
        if (udp.publicAddress) this.set({ tunnel }, udp.publicAddress.port);
    },
  });

  const fromStats = perTunnelSeries<TunnelUdpStats>(registry, () => readUdpStats(relay()));
  fromStats("gauge", "autostun_tunnel_udp_sessions_active", "UDP peer sessions live right now", "active");
  fromStats(
    "counter",
    "autostun_tunnel_udp_sessions_handled_total",
    "UDP peer sessions (or kernel flows) accepted",
    "handled",
  );
  fromStats(
    "counter",
    "autostun_tunnel_udp_datagrams_blocked_total",
    "datagrams from banned peers dropped",
    "blocked",
  );
  fromStats(
    "counter",
    "autostun_tunnel_udp_datagrams_dropped_total",
    "datagrams dropped for session limits or backpressure (user-space forwarding only)",
    "dropped",
  );
  fromStats(
    "counter",
    "autostun_tunnel_udp_bytes_in_total",
    "UDP bytes peers sent through the tunnel",
    "bytesIn",
  );
  fromStats(
    "counter",
    "autostun_tunnel_udp_bytes_out_total",
    "UDP bytes sent back to peers through the tunnel",
    "bytesOut",
  );
}

/** UDP stats of every tunnel that has them; none (null) or a read that fails leaves the tunnel out. */
async function readUdpStats(relay: RelayManager): Promise<Map<string, TunnelUdpStats>> {
  const out = new Map<string, TunnelUdpStats>();
  for (const { config } of relay.list()) {
    const stats = await relay.udpStats(config.id).catch(() => null);
    if (stats) out.set(config.id, stats);
  }
  return out;
}
