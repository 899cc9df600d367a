import { parseHostPort } from "@autostun/stun";
import type { TunnelOptions } from "./options.js";

/** Reject options a tunnel cannot work with, naming the tunnel and the key to fix. */
export function validateTunnelOptions(options: TunnelOptions): void {
  const id = typeof options.id === "string" && options.id.trim() ? options.id : undefined;
  if (!id) throw new TypeError("tunnel: every tunnel needs a non-empty id (tunnels[].id)");
  const fail = (message: string): never => {
    throw new TypeError(`tunnel "${id}": ${message}`);
  };
  const port = options.localPort ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    fail(`localPort must be 0 (choose one) or a port 1-65535; got ${JSON.stringify(options.localPort)}`);
  }
  const inbound = options.inbound;
  if (inbound?.kind === "relay-port") {
    const relay = inbound.port;
    if (!Number.isInteger(relay) || relay < 0 || relay > 65535) {
      fail(`the relay port must be 0 (choose one) or a port 1-65535; got ${JSON.stringify(relay)}`);
    }
    if (relay !== 0 && relay === port) {
      fail(`the relay port ${relay} must differ from localPort: nftables redirects P to it`);
    }
  }
  if (options.stunServers.length === 0) {
    fail("no STUN server over TCP is configured; list at least one under stun.tcp");
  }
  for (const server of options.stunServers) {
    const parsed = parseHostPort(server);
    if ("error" in parsed) fail(`stun.tcp entry ${JSON.stringify(server)}: ${parsed.error}`);
  }
  const target = parseHostPort(options.keepalive.target);
  if ("error" in target) fail(`keepalive.target: ${target.error}`);
  const interval = options.keepalive.intervalSeconds;
  if (interval !== undefined && !(interval > 0)) {
    fail(`keepalive.intervalSeconds must be a positive number; got ${JSON.stringify(interval)}`);
  }
}
