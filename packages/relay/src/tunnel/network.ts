import type { Socket } from "node:net";
import type { PunchResult } from "../punch/stun-race.js";
import type { PortListener } from "./listener.js";

/** A live keep-alive connection from port P. */
export interface KeepAliveHandle {
  readonly lastAnswerAt: Date | undefined;
  /**
   * This host's address the connection leaves from, as the kernel's routing chose it: the private
   * side of the mapping it keeps. On a host with several interfaces only this one is sure to be right.
   */
  readonly localAddress: string | undefined;
  close(): void;
}

/** Something that polls the host's network and reports changes until stopped. */
export interface NetworkWatcher {
  start(): Promise<void>;
  stop(): void;
}

/**
 * Everything a tunnel does to the outside world. The tunnel is the state machine on top; the live
 * implementation does real sockets, and unit tests swap in a fake to drive every transition.
 */
export interface TunnelNetwork {
  /** A local port that is free now. */
  choosePort(): Promise<number>;
  /** Learn the public address of port P (STUN over TCP from P). */
  punch(localPort: number): Promise<PunchResult>;
  /** Open the keep-alive from P; `onLost` fires once when it breaks. Resolves after the first answer. */
  keepAlive(localPort: number, onLost: (reason: string) => void): Promise<KeepAliveHandle>;
  /** Listen on P. */
  listen(
    localPort: number,
    onPeer: (socket: Socket) => void,
    onError: (error: Error) => void,
  ): Promise<PortListener>;
  /** The router's public IP as seen from some other local port. */
  recheckPublicIp(): Promise<string>;
  /** Watch local addresses and default routes. */
  watch(onChange: (description: string) => void, onError: (error: unknown) => void): NetworkWatcher;
}
