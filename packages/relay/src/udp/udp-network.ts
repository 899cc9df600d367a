import type { Endpoint } from "@autostun/stun";
import type { PublicAddress } from "../punch/stun-race.js";
import type { NetworkWatcher } from "../tunnel/network.js";
import { hostNetworkSource, type NetworkSource, NetworkWatch } from "../tunnel/network-watch.js";
import { punchUdp, type UdpPunchResult } from "./udp-punch.js";
import { UdpStunPort } from "./udp-stun-port.js";
import type { UdpMappingTiming } from "./udp-timing.js";

/** The bound socket of a UDP mapping, as the state machine sees it. */
export interface UdpMappingSocket {
  readonly localPort: number;
  /** The real socket (absent in unit tests' fakes): what a forwarder answers peers from. */
  readonly port: UdpStunPort | undefined;
  /** Binding to every `stun.udp` server at once; the first answer wins. */
  punch(): Promise<UdpPunchResult>;
  /** One keep-alive Binding to one server (retransmitted); resolves to the mapped address. */
  probe(server: Endpoint): Promise<PublicAddress>;
  /** STUN datagrams sent from this socket so far. */
  readonly packetsSent: number;
  close(): Promise<void>;
}

/**
 * Everything a UDP mapping does to the outside world. The mapping is the state machine; the live
 * implementation binds real sockets, and unit tests drive every transition with a fake.
 */
export interface UdpMappingNetwork {
  /** Bind the local UDP port (0: any). */
  open(localPort: number): Promise<UdpMappingSocket>;
  /** Watch local addresses and default routes. */
  watch(onChange: (description: string) => void, onError: (error: unknown) => void): NetworkWatcher;
}

export interface LiveUdpNetworkOptions {
  stunServers: readonly string[];
  timing: UdpMappingTiming;
  /** A socket already bound (the equal-port search's match): used for the first open instead of a bind. */
  adopt?: UdpStunPort;
  bindAddress?: string;
  networkSource?: NetworkSource;
}

function wrap(port: UdpStunPort, options: LiveUdpNetworkOptions): UdpMappingSocket {
  return {
    localPort: port.localPort,
    port,
    punch: () => punchUdp(port, options.stunServers, options.timing.ask),
    probe: (server) => port.ask(server, options.timing.ask),
    get packetsSent() {
      return port.packetsSent;
    },
    close: () => port.close(),
  };
}

/** Real sockets behind a UDP mapping. */
export function liveUdpNetwork(options: LiveUdpNetworkOptions): UdpMappingNetwork {
  let adopt = options.adopt;
  return {
    async open(localPort) {
      const given = adopt;
      adopt = undefined;
      if (given && !given.isClosed && (localPort === 0 || given.localPort === localPort)) {
        return wrap(given, options);
      }
      return wrap(await UdpStunPort.open(localPort, options.bindAddress), options);
    },
    watch: (onChange, onError) =>
      new NetworkWatch(
        options.networkSource ?? hostNetworkSource,
        options.timing.networkPollMs,
        onChange,
        onError,
      ),
  };
}
