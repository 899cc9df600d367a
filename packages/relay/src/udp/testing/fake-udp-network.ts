import type { Endpoint } from "@autostun/stun";
import type { PublicAddress } from "../../punch/stun-race.js";
import type { NetworkWatcher } from "../../tunnel/network.js";
import type { UdpMappingNetwork, UdpMappingSocket } from "../udp-network.js";
import type { UdpPunchResult } from "../udp-punch.js";

/**
 * A scripted gateway for driving a UdpMapping through its states without sockets. `mapped` is what
 * every answering server reports; `silent` servers never answer; `bindError` fails the bind.
 */
export class FakeUdpNetwork implements UdpMappingNetwork {
  mapped: PublicAddress = { ip: "203.0.113.1", port: 51_413 };
  servers = ["a.test:3478", "b.test:3478"];
  silent = new Set<string>();
  bindError: Error | undefined;
  /** Times of every punch (all servers raced) and every keep-alive probe (one server). */
  readonly punches: number[] = [];
  readonly probes: { at: number; server: string }[] = [];
  readonly log: string[] = [];
  private networkChange: ((description: string) => void) | undefined;

  async open(localPort: number): Promise<UdpMappingSocket> {
    if (this.bindError) throw this.bindError;
    const port = localPort || 40_000;
    this.log.push(`bind ${port}`);
    let sent = 0;
    const answer = (server: string): PublicAddress | Error =>
      this.silent.has(server) ? new Error(`no STUN answer over UDP from ${server}`) : { ...this.mapped };
    return {
      localPort: port,
      port: undefined,
      get packetsSent() {
        return sent;
      },
      punch: async (): Promise<UdpPunchResult> => {
        this.punches.push(Date.now());
        sent += this.servers.length;
        for (const server of this.servers) {
          const got = answer(server);
          if (!(got instanceof Error)) {
            const [address, p] = server.split(":");
            return { publicAddress: got, server, endpoint: { address: address!, port: Number(p) } };
          }
        }
        throw new Error(`no STUN server answered over UDP from local port ${port}`);
      },
      probe: async (server: Endpoint): Promise<PublicAddress> => {
        const name = `${server.address}:${server.port}`;
        this.probes.push({ at: Date.now(), server: name });
        sent++;
        const got = answer(name);
        if (got instanceof Error) throw got;
        return got;
      },
      close: async () => {
        this.log.push(`close ${port}`);
      },
    };
  }

  watch(onChange: (description: string) => void): NetworkWatcher {
    this.networkChange = onChange;
    return { start: async () => {}, stop: () => (this.networkChange = undefined) };
  }

  /** As if the host's address or default route changed. */
  changeNetwork(description = "local network changed: address added: eth0 10.0.0.9"): void {
    this.networkChange?.(description);
  }
}
