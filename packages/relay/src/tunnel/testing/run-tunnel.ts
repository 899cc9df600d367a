/**
 * Lab fixture: runs one Tunnel inside a namespace (`ip netns exec <lan> node --import tsx run-tunnel.ts
 * '<json>'`) and prints every change as one JSON line on stdout; logs go to stderr. Peers are piped to
 * a TCP service on 127.0.0.1:<targetPort>. SIGTERM stops the tunnel and exits.
 */
import { connect } from "node:net";
import type { Logger } from "@autostun/plugins-api";
import type { TunnelTiming } from "../timing.js";
import { Tunnel } from "../tunnel.js";

export interface RunTunnelConfig {
  stunServers: string[];
  keepaliveTarget: string;
  localPort: number;
  targetPort: number;
  timing: Partial<TunnelTiming>;
}

const config = JSON.parse(process.argv[2] ?? "{}") as RunTunnelConfig;

const logger: Logger = Object.fromEntries(
  (["debug", "info", "warn", "error"] as const).map((level) => [
    level,
    (message: string) => process.stderr.write(`${level} ${message}\n`),
  ]),
) as unknown as Logger;

const tunnel = new Tunnel({
  id: "lab",
  localPort: config.localPort,
  stunServers: config.stunServers,
  keepalive: { target: config.keepaliveTarget },
  logger,
  timing: config.timing,
  handler: {
    handle(peer) {
      const upstream = connect({ host: "127.0.0.1", port: config.targetPort, allowHalfOpen: true });
      peer.pipe(upstream);
      upstream.pipe(peer);
      peer.on("error", () => upstream.destroy());
      upstream.on("error", () => peer.destroy());
    },
  },
});

tunnel.onChange(({ status }) => {
  process.stdout.write(`${JSON.stringify({ ...status, at: Date.now() })}\n`);
});
process.once("SIGTERM", () => {
  void tunnel.stop().then(() => process.exit(0));
});
tunnel.start();
