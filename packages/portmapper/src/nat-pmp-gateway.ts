import { PortMappingError } from "./errors.js";
import type { GrantedMapping, MappingGateway } from "./gateway.js";
import { localAddressToward } from "./local-address.js";
import { exchangeUdp, NAT_PMP_PORT } from "./udp-exchange.js";

export { NAT_PMP_PORT };

const RESULT_TEXT: Record<number, string> = {
  1: "unsupported version",
  2: "not authorized / refused (the router does not allow this mapping)",
  3: "network failure (the router has no external address yet)",
  4: "out of resources",
  5: "unsupported opcode",
};

/** A gateway speaking NAT-PMP on UDP 5351 (Apple routers, miniupnpd, many others). */
export class NatPmpGateway implements MappingGateway {
  readonly protocol = "nat-pmp" as const;
  readonly location: string;

  private constructor(
    private readonly gatewayIp: string,
    readonly internalClient: string,
  ) {
    this.location = gatewayIp;
  }

  static async open(gatewayIp: string): Promise<NatPmpGateway> {
    return new NatPmpGateway(gatewayIp, await localAddressToward(gatewayIp, NAT_PMP_PORT));
  }

  async externalIp(signal?: AbortSignal): Promise<string> {
    const answer = await this.request(Buffer.from([0, 0]), 128, signal);
    // A success answer shorter than 12 bytes carries no whole address: say so rather than show a part.
    if (answer.length < 12)
      throw new PortMappingError(`the gateway ${this.gatewayIp} sent a NAT-PMP answer without its address`);
    return [...answer.subarray(8, 12)].join(".");
  }

  async mapTcp(
    port: number,
    leaseSeconds: number,
    _description: string,
    signal?: AbortSignal,
  ): Promise<GrantedMapping> {
    const answer = await this.request(mapRequest(port, port, leaseSeconds), 130, signal, port);
    return grantedOrThrow(this.gatewayIp, "NAT-PMP", answer.readUInt16BE(10), answer.readUInt32BE(12));
  }

  async unmapTcp(port: number, signal?: AbortSignal): Promise<void> {
    // RFC 6886 3.4: lifetime 0 and suggested external port 0 delete the mapping of this internal port.
    await this.request(mapRequest(port, 0, 0), 130, signal, port);
  }

  private request(
    message: Buffer,
    replyOp: number,
    signal?: AbortSignal,
    internalPort?: number,
  ): Promise<Buffer> {
    return exchangeUdp({
      protocol: "NAT-PMP",
      gatewayIp: this.gatewayIp,
      message,
      signal,
      judge: (reply) => {
        if (reply.length < 8 || reply[0] !== 0 || reply[1] !== replyOp) return undefined;
        if (internalPort !== undefined && (reply.length < 16 || reply.readUInt16BE(8) !== internalPort))
          return undefined;
        const result = reply.readUInt16BE(2);
        if (result === 0) return reply;
        return new PortMappingError(
          `the gateway ${this.gatewayIp} refused over NAT-PMP: result ${result}, ${RESULT_TEXT[result] ?? "unknown"}`,
          result,
        );
      },
    });
  }
}

/**
 * What a NAT-PMP or PCP router granted. Lifetime 0 there means "no mapping" (it is how one is deleted),
 * unlike UPnP where 0 is a lease without an end, so it is refused rather than shown as an endless lease.
 */
export function grantedOrThrow(
  gatewayIp: string,
  protocol: string,
  externalPort: number,
  leaseSeconds: number,
): GrantedMapping {
  if (leaseSeconds === 0 || externalPort === 0)
    throw new PortMappingError(
      `the gateway ${gatewayIp} answered the ${protocol} mapping request without granting one (lifetime ${leaseSeconds}, port ${externalPort})`,
    );
  return { externalPort, leaseSeconds };
}

/** Opcode 2 (map TCP): version, op, reserved, internal port, suggested external port, lifetime. */
function mapRequest(internalPort: number, externalPort: number, lifetime: number): Buffer {
  const b = Buffer.alloc(12);
  b[1] = 2;
  b.writeUInt16BE(internalPort, 4);
  b.writeUInt16BE(externalPort, 6);
  b.writeUInt32BE(lifetime, 8);
  return b;
}
