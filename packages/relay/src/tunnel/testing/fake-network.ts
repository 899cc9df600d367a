import type { Socket } from "node:net";
import type { PunchResult } from "../../punch/stun-race.js";
import type { PortListener } from "../listener.js";
import type { KeepAliveHandle, NetworkWatcher, TunnelNetwork } from "../network.js";

/** An errno-style error, as Node raises for a busy local port. */
export function errnoError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * A scripted network for driving a tunnel through its states without sockets. Each method records
 * what the tunnel asked for; tests flip `publicIp`, `punchError`, … and fire losses by hand.
 */
export class FakeNetwork implements TunnelNetwork {
  publicIp = "203.0.113.1";
  /** Public port = local port + this (a remapping router). */
  portOffset = 1000;
  punchError: Error | undefined;
  /** Ports whose punch fails as busy (EADDRINUSE). */
  busyPorts = new Set<number>();
  recheckIp: string | Error = "203.0.113.1";
  /** Close every keep-alive as soon as it opens (a target that drops connections). */
  dropKeepAlives = false;
  nextFreePort = 40_000;
  /** The source address the next keep-alive gets, as routing would pick it. */
  localAddress = "192.168.1.20";

  readonly log: string[] = [];
  punches = 0;
  private lostHandlers: ((reason: string) => void)[] = [];
  private peerHandler: ((socket: Socket) => void) | undefined;
  private networkChange: ((description: string) => void) | undefined;

  async choosePort(): Promise<number> {
    const port = this.nextFreePort++;
    this.log.push(`choose ${port}`);
    return port;
  }

  async punch(localPort: number): Promise<PunchResult> {
    this.punches++;
    this.log.push(`punch ${localPort}`);
    if (this.busyPorts.has(localPort)) throw errnoError("EADDRINUSE", `port ${localPort} busy`);
    if (this.punchError) throw this.punchError;
    return {
      publicAddress: { ip: this.publicIp, port: localPort + this.portOffset },
      server: "stun.test:3478",
      localPort,
    };
  }

  async keepAlive(localPort: number, onLost: (reason: string) => void): Promise<KeepAliveHandle> {
    this.log.push(`keepalive ${localPort}`);
    this.lostHandlers.push(onLost);
    const handle = {
      lastAnswerAt: new Date(),
      localAddress: this.localAddress,
      close: () => this.log.push(`keepalive-closed ${localPort}`),
    };
    if (this.dropKeepAlives) setTimeout(() => onLost("target closed the connection"), 0);
    return handle;
  }

  async listen(localPort: number, onPeer: (socket: Socket) => void): Promise<PortListener> {
    this.log.push(`listen ${localPort}`);
    this.peerHandler = onPeer;
    return { close: () => this.log.push(`listener-closed ${localPort}`) };
  }

  async recheckPublicIp(): Promise<string> {
    if (this.recheckIp instanceof Error) throw this.recheckIp;
    return this.recheckIp;
  }

  watch(onChange: (description: string) => void): NetworkWatcher {
    this.networkChange = onChange;
    return { start: async () => {}, stop: () => (this.networkChange = undefined) };
  }

  /** The latest keep-alive breaks. */
  loseKeepAlive(reason = "connection reset"): void {
    this.lostHandlers.at(-1)?.(reason);
  }

  /** A peer arrives on the listener. */
  arrive(socket: Socket): void {
    this.peerHandler?.(socket);
  }

  changeNetwork(description = "local network changed: address added: eth0 10.0.0.9"): void {
    this.networkChange?.(description);
  }
}
