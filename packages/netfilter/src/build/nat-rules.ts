import { assertIpv4OrCidr } from "./elements.js";
import { assertName } from "./names.js";

/** An IPv4 endpoint a NAT rule sends connections to. */
export interface Ipv4Endpoint {
  ip: string;
  port: number;
}

function assertPort(port: number, what: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`${what} must be a port 1-65535, not ${JSON.stringify(port)}`);
}

/**
 * Matches new inbound TCP to `port` that arrived from another machine for an address of this host.
 * `iifname != "lo"` leaves the host's own connections alone, and `fib daddr type local` keeps a host
 * that also routes for others from capturing their traffic to the same port. A tunnel's entrance is
 * IPv4: over IPv6 peers reach the downloader at its own address and port, and must not be captured.
 */
export function inboundTcpMatch(port: number): string {
  assertPort(port, "the inbound port");
  return `iifname != "lo" meta nfproto ipv4 fib daddr type local tcp dport ${port}`;
}

/**
 * The same for inbound UDP to `port`: the first datagram of a flow from another machine. Datagrams
 * answering the host's own sends from that port (STUN replies to a mapping socket) belong to the
 * conntrack entry those sends created, in its reply direction, so a NAT chain never sees them.
 */
export function inboundUdpMatch(port: number): string {
  assertPort(port, "the inbound UDP port");
  return `iifname != "lo" meta nfproto ipv4 fib daddr type local udp dport ${port}`;
}

/**
 * Inbound TCP over IPv6 to `port` on an address of this host, from another machine: how peers reach a
 * downloader on this host at its own global address, with no tunnel in between. Only ban rules use
 * it; nothing is handed on, since the downloader itself listens on that port.
 */
export function inboundTcpMatch6(port: number): string {
  assertPort(port, "the inbound IPv6 port");
  return `iifname != "lo" meta nfproto ipv6 fib daddr type local tcp dport ${port}`;
}

/** The same for UDP (uTP and the DHT share the downloader's port). */
export function inboundUdpMatch6(port: number): string {
  assertPort(port, "the inbound IPv6 UDP port");
  return `iifname != "lo" meta nfproto ipv6 fib daddr type local udp dport ${port}`;
}

/** `… dnat ip to A:P` for a nat chain at prerouting: the connection is handed to another endpoint. */
export function dnatRule(match: string, to: Ipv4Endpoint, counter?: string): string {
  assertIpv4OrCidr(to.ip);
  if (to.ip.includes("/")) throw new Error(`a DNAT target is one address, not the network ${to.ip}`);
  assertPort(to.port, "the DNAT target port");
  return `${match}${counterPart(counter)} dnat ip to ${to.ip}:${to.port}`;
}

/** `… redirect to :P`: DNAT to the same host's address on the arriving interface, at another port. */
export function redirectRule(match: string, port: number, counter?: string): string {
  assertPort(port, "the redirect port");
  return `${match}${counterPart(counter)} redirect to :${port}`;
}

/** A reference to a named counter declared in the same table, or nothing. */
export function counterPart(counter: string | undefined): string {
  if (counter === undefined) return "";
  assertName(counter);
  return ` counter name "${counter}"`;
}
