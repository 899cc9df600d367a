import { randomBytes } from "node:crypto";
import { isIPv6 } from "node:net";
import { PortMappingError } from "../errors.js";
import { exchangeUdp } from "../udp-exchange.js";
import { canonicalIpv6 } from "./ipv6-host.js";
import type { GrantedPinhole, PinholeGateway, PinholeRequest } from "./pinhole-types.js";
import { PINHOLE_PROTOCOL_NUMBER } from "./upnp-pinhole-gateway.js";

/** PCP result codes this client acts on (RFC 6887 7.4). */
export const PCP_RESULT = Object.freeze({ NOT_AUTHORIZED: 2 });

/** RFC 6887 wire constants. */
export const PCP = Object.freeze({
  VERSION: 2,
  OP_ANNOUNCE: 0,
  OP_MAP: 1,
  /** The response bit on the opcode. */
  RESPONSE: 0x80,
  HEADER_BYTES: 24,
  MAP_BYTES: 36,
  NONCE_BYTES: 12,
  /** Result codes (RFC 6887 7.4). */
  SUCCESS: 0,
});

const RESULT_TEXT: Record<number, string> = {
  1: "UNSUPP_VERSION (the router speaks only NAT-PMP)",
  2: "NOT_AUTHORIZED (the router does not allow this pinhole)",
  3: "MALFORMED_REQUEST",
  4: "UNSUPP_OPCODE",
  5: "UNSUPP_OPTION",
  7: "NETWORK_FAILURE (the router has no external address yet)",
  8: "NO_RESOURCES",
  9: "UNSUPP_PROTOCOL",
  10: "USER_EX_QUOTA (this host has too many pinholes)",
  11: "CANNOT_PROVIDE_EXTERNAL",
  12: "ADDRESS_MISMATCH (the router sees this host under another address)",
};

/** The 16 bytes of an IPv6 address, as PCP carries every address. */
function addressBytes(ip: string): Buffer {
  const [head = "", tail = ""] = canonicalIpv6(ip).split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  const bytes = Buffer.alloc(16);
  groups.forEach((group, i) => {
    bytes.writeUInt16BE(Number.parseInt(group, 16), i * 2);
  });
  return bytes;
}

/**
 * A router that opens IPv6 pinholes over PCP (RFC 6887): a `MAP` for this host's IPv6 address, sent from
 * that address to the router's port 5351. A MAP whose internal address is IPv6 is a firewall pinhole (no
 * translation: the external port is the internal one). The nonce is kept per pinhole; the same nonce
 * renews it, and lifetime 0 with it deletes it.
 */
export class PcpPinholeGateway implements PinholeGateway {
  readonly protocol = "pcp" as const;

  private constructor(
    /** The router's address, with its zone when link-local (`fe80::1%eth0`). */
    readonly location: string,
    readonly address: string,
    private readonly requestTimeoutMs: number | undefined,
  ) {}

  /** Ask the router (an ANNOUNCE) whether it speaks PCP over IPv6, from this host's `address`. */
  static async open(
    routerIp: string,
    address: string,
    options: { signal?: AbortSignal; requestTimeoutMs?: number } = {},
  ): Promise<PcpPinholeGateway> {
    if (!isIPv6(routerIp.replace(/%.*$/, "")))
      throw new TypeError(`PCP pinholes need the router's IPv6 address; got ${JSON.stringify(routerIp)}`);
    const gateway = new PcpPinholeGateway(routerIp, canonicalIpv6(address), options.requestTimeoutMs);
    await gateway.request(gateway.header(PCP.OP_ANNOUNCE, 0), PCP.OP_ANNOUNCE, options.signal);
    return gateway;
  }

  async open(request: PinholeRequest, signal?: AbortSignal): Promise<GrantedPinhole> {
    return this.map(request, request.leaseSeconds, randomBytes(PCP.NONCE_BYTES), signal);
  }

  async renew(pinhole: GrantedPinhole, leaseSeconds: number, signal?: AbortSignal): Promise<GrantedPinhole> {
    return this.map(pinhole, leaseSeconds, Buffer.from(pinhole.handle, "hex"), signal);
  }

  /**
   * MAP with lifetime 0 and the pinhole's nonce. miniupnpd 2.3.1 (nftables) loses the nonce from a
   * pinhole's label when it renews it, and then refuses the deletion (NOT_AUTHORIZED); such a pinhole
   * gets the shortest lease the router grants instead, so it closes soon, and the error says so.
   */
  async close(pinhole: GrantedPinhole, signal?: AbortSignal): Promise<void> {
    const nonce = Buffer.from(pinhole.handle, "hex");
    try {
      await this.map(pinhole, 0, nonce, signal);
    } catch (error) {
      if ((error as PortMappingError).code !== PCP_RESULT.NOT_AUTHORIZED) throw error;
      const cut = await this.map(pinhole, 1, nonce, signal);
      throw new PortMappingError(
        `the router ${this.location} refused to delete the ${pinhole.transport} pinhole (PCP NOT_AUTHORIZED, as miniupnpd 2.3.1 does once it renewed one); its lease was cut to ${cut.leaseSeconds} s instead, so it closes then`,
        PCP_RESULT.NOT_AUTHORIZED,
      );
    }
  }

  private async map(
    request: PinholeRequest,
    lifetime: number,
    nonce: Buffer,
    signal?: AbortSignal,
  ): Promise<GrantedPinhole> {
    const internal = canonicalIpv6(request.address);
    if (internal !== this.address)
      throw new PortMappingError(
        `a PCP pinhole for ${internal} cannot be asked for from ${this.address}: PCP maps the address that asks`,
      );
    const body = Buffer.alloc(PCP.MAP_BYTES);
    nonce.copy(body, 0);
    body[12] = PINHOLE_PROTOCOL_NUMBER[request.transport];
    body.writeUInt16BE(request.port, 16);
    // Suggested external port: the same (a pinhole translates nothing); external address: none (all zero).
    body.writeUInt16BE(lifetime === 0 ? 0 : request.port, 18);
    const answer = await this.request(
      Buffer.concat([this.header(PCP.OP_MAP, Math.max(0, Math.round(lifetime))), body]),
      PCP.OP_MAP,
      signal,
      nonce,
    );
    const granted = answer.readUInt32BE(4);
    return { ...request, address: internal, leaseSeconds: granted, handle: nonce.toString("hex") };
  }

  private header(opcode: number, lifetime: number): Buffer {
    const b = Buffer.alloc(PCP.HEADER_BYTES);
    b[0] = PCP.VERSION;
    b[1] = opcode;
    b.writeUInt32BE(lifetime, 4);
    addressBytes(this.address).copy(b, 8);
    return b;
  }

  private request(message: Buffer, opcode: number, signal?: AbortSignal, nonce?: Buffer): Promise<Buffer> {
    const bounded = this.requestTimeoutMs
      ? AbortSignal.any([AbortSignal.timeout(this.requestTimeoutMs), ...(signal ? [signal] : [])])
      : signal;
    return exchangeUdp({
      protocol: "PCP",
      gatewayIp: this.location,
      localAddress: this.address,
      message,
      signal: bounded,
      judge: (reply) => {
        if (reply.length < 4) return undefined;
        if (reply[0] === 0)
          return new PortMappingError(`the router ${this.location} speaks NAT-PMP, not PCP`, 1);
        if (
          reply.length < PCP.HEADER_BYTES ||
          reply[0] !== PCP.VERSION ||
          reply[1] !== (PCP.RESPONSE | opcode)
        )
          return undefined;
        const full = PCP.HEADER_BYTES + PCP.MAP_BYTES;
        // An answer to an earlier request (another nonce) is not this one's.
        if (nonce && reply.length >= full && !reply.subarray(24, 36).equals(nonce)) return undefined;
        const result = reply[3] ?? 0;
        if (result !== PCP.SUCCESS)
          return new PortMappingError(
            `the router ${this.location} refused over PCP: result ${result}, ${RESULT_TEXT[result] ?? "unknown"}`,
            result,
          );
        if (nonce && reply.length < full) return undefined;
        return reply;
      },
    });
  }
}
