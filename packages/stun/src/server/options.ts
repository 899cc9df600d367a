import { familyOf } from "../message/ip.js";
import type { StunMessage } from "../message/types.js";

/** Options of {@link startStunServer}. */
export interface StunServerOptions {
  /** Primary IP address (a literal, bound as given). */
  primary: string;
  /** Alternate IP address of the same family; enables OTHER-ADDRESS and CHANGE-REQUEST. */
  alternate?: string;
  /** Primary port, default 3478; 0 picks a free one. */
  port?: number;
  /** Alternate port, default 3479; 0 picks a free one. Used only with `alternate`. */
  altPort?: number;
  /** Serve UDP (default true). */
  udp?: boolean;
  /** Serve TCP (default true). */
  tcp?: boolean;
  /** SOFTWARE attribute value in responses. */
  software?: string;
  /** Socket-level problems (send failures, socket errors). Default: a line on stderr. */
  onError?: (e: Error) => void;
  /**
   * Test mode: answer CHANGE-REQUEST from the socket that received it while RESPONSE-ORIGIN claims
   * the socket it should have used, like a broken or dishonest server. Clients must catch it.
   */
  lieAboutChangeRequest?: boolean;
  /**
   * Test mode: UDP answers to requests for which this returns true are never sent, as if lost on the
   * way back, so a client's handling of loss can be tested on loopback.
   */
  loseUdpReply?: (request: StunMessage) => boolean;
  /** Close TCP connections idle this long, in ms. Default 120000. */
  tcpIdleTimeoutMs?: number;
}

export interface ValidServerOptions {
  primary: string;
  alternate: string | undefined;
  port: number;
  altPort: number;
  udp: boolean;
  tcp: boolean;
  software: string | undefined;
  onError: (e: Error) => void;
  lieAboutChangeRequest: boolean;
  loseUdpReply: ((request: StunMessage) => boolean) | undefined;
  tcpIdleTimeoutMs: number;
}

/** Checks options and fills defaults; throws a TypeError naming the bad option. */
export function validateServerOptions(options: StunServerOptions): ValidServerOptions {
  const primaryFamily = familyOf(options.primary ?? "");
  if (!primaryFamily)
    throw new TypeError(`primary must be an IP address, got ${JSON.stringify(options.primary)}`);
  if (options.alternate !== undefined) {
    const altFamily = familyOf(options.alternate);
    if (!altFamily)
      throw new TypeError(`alternate must be an IP address, got ${JSON.stringify(options.alternate)}`);
    if (altFamily !== primaryFamily)
      throw new TypeError(`alternate ${options.alternate} is not ${primaryFamily} like primary`);
    if (options.alternate === options.primary) throw new TypeError("alternate must differ from primary");
  }
  const port = checkPort(options.port ?? 3478, "port");
  const altPort = checkPort(options.altPort ?? 3479, "altPort");
  if (port !== 0 && port === altPort && options.alternate !== undefined) {
    throw new TypeError("altPort must differ from port");
  }
  const udp = options.udp ?? true;
  const tcp = options.tcp ?? true;
  if (!udp && !tcp) throw new TypeError("at least one of udp and tcp must be enabled");
  return {
    primary: options.primary,
    alternate: options.alternate,
    port,
    altPort,
    udp,
    tcp,
    software: options.software,
    onError: options.onError ?? ((e) => process.stderr.write(`stun-server: ${e.message}\n`)),
    lieAboutChangeRequest: options.lieAboutChangeRequest ?? false,
    loseUdpReply: options.loseUdpReply,
    tcpIdleTimeoutMs: options.tcpIdleTimeoutMs ?? 120_000,
  };
}

function checkPort(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new TypeError(`${name} must be an integer 0..65535, got ${value}`);
  }
  return value;
}
