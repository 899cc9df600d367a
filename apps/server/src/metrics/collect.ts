import type { CheckStore } from "@autostun/extension-host";
import type { CheckStatus } from "@autostun/plugins-api";
import type { TunnelState } from "@autostun/relay";
import type { RelayManager, TunnelStats } from "@autostun/tunnels";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { registerIpv6Metrics } from "./ipv6-metrics.js";
import { perTunnelSeries } from "./per-tunnel-series.js";
import { registerUdpMetrics } from "./udp-metrics.js";

const TUNNEL_STATES: readonly TunnelState[] = ["STOPPED", "OPENING", "OPEN", "RECOVERING", "FAILED"];
const CHECK_STATUSES: readonly CheckStatus[] = [
  "PENDING",
  "RUNNING",
  "PASS",
  "WARN",
  "FAIL",
  "SKIP",
  "ERROR",
];

/** Where the numbers come from; read on every scrape, so the registry never holds a copy of its own. */
export interface MetricSources {
  relay(): RelayManager;
  checks(): CheckStore;
}

/**
 * A Prometheus registry for one daemon: tunnels (from the relay manager) and checks (from the check
 * store) are read when scraped, plus Node's process metrics. Counters are per tunnel run: a tunnel
 * that restarts begins again at zero, which `rate()` and `increase()` treat as a counter reset.
 */
export function createMetricsRegistry(sources: MetricSources): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  new Gauge({
    name: "autostun_tunnel_state",
    help: "1 for the state the tunnel is in, 0 for the others",
    labelNames: ["tunnel", "state"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { status } of sources.relay().list())
        for (const state of TUNNEL_STATES)
          this.set({ tunnel: status.id, state }, status.state === state ? 1 : 0);
    },
  });
  new Gauge({
    name: "autostun_tunnel_public_port",
    help: "the public port peers dial; absent while the tunnel has no public address",
    labelNames: ["tunnel"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { status } of sources.relay().list())
        if (status.publicAddress) this.set({ tunnel: status.id }, status.publicAddress.port);
    },
  });
  new Counter({
    name: "autostun_tunnel_recoveries_total",
    help: "how often the tunnel came back after losing its mapping",
    labelNames: ["tunnel"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { status } of sources.relay().list()) this.inc({ tunnel: status.id }, status.recoveryCount);
    },
  });
  new Gauge({
    name: "autostun_tunnel_last_recovery_seconds",
    help: "from noticing the loss to being open again, for the tunnel's last recovery",
    labelNames: ["tunnel"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { status } of sources.relay().list())
        if (status.lastRecoveryMs !== undefined)
          this.set({ tunnel: status.id }, status.lastRecoveryMs / 1000);
    },
  });

  const fromStats = perTunnelSeries<TunnelStats>(registry, () => readStats(sources.relay()));
  fromStats("gauge", "autostun_tunnel_connections_active", "peer connections open right now", "active");
  fromStats("counter", "autostun_tunnel_connections_handled_total", "peer connections forwarded", "handled");
  fromStats(
    "counter",
    "autostun_tunnel_connections_blocked_total",
    "peer connections refused because the peer is banned",
    "blocked",
  );
  fromStats("counter", "autostun_tunnel_bytes_in_total", "bytes peers sent through the tunnel", "bytesIn");
  fromStats(
    "counter",
    "autostun_tunnel_bytes_out_total",
    "bytes sent back to peers through the tunnel",
    "bytesOut",
  );
  registerUdpMetrics(registry, sources.relay);
  registerIpv6Metrics(registry, sources.relay);

  new Gauge({
    name: "autostun_check_status",
    help: "1 for the status of the check's last finished run, 0 for the others",
    labelNames: ["check", "status"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const state of sources.checks().latest())
        for (const status of CHECK_STATUSES)
          this.set({ check: state.id, status }, state.status === status ? 1 : 0);
    },
  });
  new Gauge({
    name: "autostun_check_duration_seconds",
    help: "how long the check's last finished run took",
    labelNames: ["check"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const state of sources.checks().latest())
        if (state.durationMs !== undefined) this.set({ check: state.id }, state.durationMs / 1000);
    },
  });
  new Gauge({
    name: "autostun_check_last_run_timestamp_seconds",
    help: "when the check's last run finished, as a Unix time",
    labelNames: ["check"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const state of sources.checks().latest()) {
        const at = state.finishedAt ? Date.parse(state.finishedAt) : Number.NaN;
        if (Number.isFinite(at)) this.set({ check: state.id }, at / 1000);
      }
    },
  });
  return registry;
}

/** Every tunnel's stats; a tunnel removed between listing and reading is left out, not an error. */
async function readStats(relay: RelayManager): Promise<Map<string, TunnelStats>> {
  const out = new Map<string, TunnelStats>();
  for (const { status } of relay.list()) {
    const stats = await relay.stats(status.id).catch(() => undefined);
    if (stats) out.set(status.id, stats);
  }
  return out;
}
