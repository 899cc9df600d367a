import { resolveEndpoint } from "../punch/endpoint.js";
import { chooseFreePort } from "../punch/free-port.js";
import { punchStun } from "../punch/stun-race.js";
import { KeepAlive } from "./keepalive.js";
import { listenOnPort } from "./listener.js";
import type { TunnelNetwork } from "./network.js";
import { hostNetworkSource, type NetworkSource, NetworkWatch } from "./network-watch.js";
import type { TunnelTiming } from "./timing.js";

export interface LiveNetworkOptions {
  stunServers: readonly string[];
  keepaliveTarget: string;
  /** Where the listener binds (default all IPv4 addresses). */
  listenAddress: string;
  timing: TunnelTiming;
  networkSource?: NetworkSource;
}

/** The real sockets behind a tunnel. */
export function liveNetwork(options: LiveNetworkOptions): TunnelNetwork {
  const { timing } = options;
  return {
    choosePort: () => chooseFreePort(options.listenAddress),
    punch: (localPort) => punchStun(options.stunServers, { localPort, timeoutMs: timing.stunTimeoutMs }),
    async keepAlive(localPort, onLost) {
      const target = await resolveEndpoint(options.keepaliveTarget, "keepalive.target");
      return KeepAlive.open(
        target,
        localPort,
        {
          intervalMs: timing.keepaliveIntervalMs,
          answerTimeoutMs: timing.keepaliveAnswerTimeoutMs,
          connectTimeoutMs: timing.stunTimeoutMs,
          probeAfterMs: timing.livenessProbeMs,
        },
        onLost,
      );
    },
    listen: (localPort, onPeer, onError) => listenOnPort(localPort, options.listenAddress, onPeer, onError),
    /*
     * Not from P: while P listens, Linux refuses to bind another socket to it (SO_REUSEADDR does not
     * cover a listener, and Node 20 cannot set SO_REUSEPORT). An ephemeral port behind the same
     * router shows the router's current WAN address, and a new address is what this check is for; a
     * lost mapping of P itself shows up on the keep-alive from P.
     */
    async recheckPublicIp() {
      const result = await punchStun(options.stunServers, { timeoutMs: timing.stunTimeoutMs });
      return result.publicAddress.ip;
    },
    watch: (onChange, onError) =>
      new NetworkWatch(options.networkSource ?? hostNetworkSource, timing.networkPollMs, onChange, onError),
  };
}
