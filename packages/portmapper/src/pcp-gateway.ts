import { randomBytes } from "node:crypto";
import { PortMappingError } from "./errors.js";
import type { GrantedMapping, MappingGateway } from "./gateway.js";
import { localAddressToward } from "./local-address.js";
import { grantedOrThrow } from "./nat-pmp-gateway.js";
import { exchangeUdp, NAT_PMP_PORT } from "./udp-exchange.js";

/** PCP (RFC 6887) shares NAT-PMP's port; a request starts with version 2 where NAT-PMP has 0. */
const PCP_VERSION = 2;
const OP_ANNOUNCE = 0;
const OP_MAP = 1;
const TCP = 6;

const RESULT_TEXT: Record<number, string> = {
  1: "UNSUPP_VERSION (the router speaks only NAT-PMP)",
  2: "NOT_AUTHORIZED (the router does not allow this mapping)",
  3: "MALFORMED_REQUEST",
  4: "UNSUPP_OPCODE",
  7: "NETWORK_FAILURE (the router has no external address yet)",
  8: "NO_RESOURCES",
  9: "UNSUPP_PROTOCOL",
  10: "USER_EX_QUOTA (this host has too many mappings)",
  11: "CANNOT_PROVIDE_EXTERNAL (the port is taken outside)",
  12: "ADDRESS_MISMATCH (the router sees this host under another address)",
};

/** An IPv4 address as PCP carries it: IPv4-mapped IPv6 (::ffff:a.b.c.d), 16 bytes. */
function mappedV4(ip: string): Buffer {
  const b = Buffer.alloc(16);
  b[10] = 0xff;
  b[11] = 0xff;
  ip.split(".").forEach((part, i) => {
    b[12 + i] = Number(part);
  });
  return b;
}

function header(opcode: number, lifetime: number, client: string): Buffer {
  const b = Buffer.alloc(24);
  b[0] = PCP_VERSION;
  b[1] = opcode;
  b.writeUInt32BE(lifetime, 4);
  mappedV4(client).copy(b, 8);
  return b;
}

/**
 * A gateway speaking PCP (RFC 6887) on UDP 5351: MAP for TCP, the same nonce to renew and to delete.
 * The router's WAN address comes with each MAP answer.
 */
export class PcpGateway implements MappingGateway {
  readonly protocol = "pcp" as const;
  readonly location: string;
  private readonly nonces = new Map<number, Buffer>();
  private lastExternalIp: string | undefined;

  private constructor(
    private readonly gatewayIp: string,
    readonly internalClient: string,
  ) {
    this.location = gatewayIp;
  }

  /** Ask the router whether it speaks PCP (an ANNOUNCE); a NAT-PMP-only router answers UNSUPP_VERSION. */
  static async open(gatewayIp: string, signal?: AbortSignal): Promise<PcpGateway> {
    const gateway = new PcpGateway(gatewayIp, await localAddressToward(gatewayIp, NAT_PMP_PORT));
    await gateway.request(header(OP_ANNOUNCE, 0, gateway.internalClient), OP_ANNOUNCE, signal);
    return gateway;
  }

  async externalIp(signal?: AbortSignal): Promise<string> {
    if (this.lastExternalIp) return this.lastExternalIp;
    // PCP has no "what is your address" request: a short mapping of a throwaway port says it, then goes.
    const probe = 60_000 + (randomBytes(2).readUInt16BE(0) % 5_000);
    await this.mapTcp(probe, 30, "", signal);
    await this.unmapTcp(probe, signal).catch(() => undefined);
    if (!this.lastExternalIp)
      throw new PortMappingError(`the PCP router ${this.gatewayIp} did not say its address`);
    return this.lastExternalIp;
  }

  async mapTcp(
    port: number,
    leaseSeconds: number,
    _description: string,
    signal?: AbortSignal,
  ): Promise<GrantedMapping> {
    const nonce = this.nonces.get(port) ?? randomBytes(12);
    this.nonces.set(port, nonce);
    const answer = await this.request(
      this.mapRequest(port, port, leaseSeconds, nonce),
      OP_MAP,
      signal,
      nonce,
    );
    const external = answer.subarray(44, 60);
    this.lastExternalIp = [...external.subarray(12)].join(".");
    return grantedOrThrow(this.gatewayIp, "PCP", answer.readUInt16BE(42), answer.readUInt32BE(4));
  }

  async unmapTcp(port: number, signal?: AbortSignal): Promise<void> {
    const nonce = this.nonces.get(port);
    // Only the nonce that made a mapping may delete it (RFC 6887 15); without one there is nothing of ours.
    if (!nonce) return;
    await this.request(this.mapRequest(port, 0, 0, nonce), OP_MAP, signal, nonce);
    this.nonces.delete(port);
  }

  private mapRequest(internalPort: number, externalPort: number, lifetime: number, nonce: Buffer): Buffer {
    const body = Buffer.alloc(36);
    nonce.copy(body, 0);
    body[12] = TCP;
    body.writeUInt16BE(internalPort, 16);
    body.writeUInt16BE(externalPort, 18);
    // Suggested external address: none (::ffff:0.0.0.0 is "any").
    mappedV4("0.0.0.0").copy(body, 20);
    return Buffer.concat([header(OP_MAP, lifetime, this.internalClient), body]);
  }

  private request(message: Buffer, opcode: number, signal?: AbortSignal, nonce?: Buffer): Promise<Buffer> {
    return exchangeUdp({
      protocol: "PCP",
      gatewayIp: this.gatewayIp,
      message,
      signal,
      judge: (reply) => {
        if (reply.length < 4) return undefined;
        // A NAT-PMP-only router answers version 0 with result 1 (unsupported version).
        if (reply[0] === 0)
          return new PortMappingError(`the router ${this.gatewayIp} speaks NAT-PMP, not PCP`, 1);
        if (reply.length < 24 || reply[0] !== PCP_VERSION || reply[1] !== (0x80 | opcode)) return undefined;
        if (nonce && (reply.length < 60 || !reply.subarray(24, 36).equals(nonce))) return undefined;
        const result = reply[3] ?? 0;
        if (result === 0) return reply;
        return new PortMappingError(
          `the router ${this.gatewayIp} refused over PCP: result ${result}, ${RESULT_TEXT[result] ?? "unknown"}`,
          result,
        );
      },
    });
  }
}
