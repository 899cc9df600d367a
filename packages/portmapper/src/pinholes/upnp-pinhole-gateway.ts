import { parseFirewallService, type WanService } from "../device-description.js";
import { errorText, PortMappingError } from "../errors.js";
import { callAction } from "../soap.js";
import { requestRouterTextFrom } from "./http-from-address.js";
import { canonicalIpv6 } from "./ipv6-host.js";
import type { GrantedPinhole, PinholeGateway, PinholeRequest, PinholeTransport } from "./pinhole-types.js";

/** IANA protocol numbers, as `WANIPv6FirewallControl` names the transport. */
export const PINHOLE_PROTOCOL_NUMBER: Readonly<Record<PinholeTransport, number>> = Object.freeze({
  TCP: 6,
  UDP: 17,
});

/** The longest lease `AddPinhole` and `UpdatePinhole` accept (IGD v2: 1 to 86 400 s). */
export const MAX_PINHOLE_LEASE_SECONDS = 86_400;

/** UPnP error codes of `WANIPv6FirewallControl:1` this client acts on. */
export const PINHOLE_ERROR = Object.freeze({
  /** The router's firewall is off: inbound IPv6 is open already. */
  FIREWALL_DISABLED: 702,
  /** The router allows no pinholes (its setting). */
  INBOUND_PINHOLE_NOT_ALLOWED: 703,
  /** The UniqueID is unknown: the pinhole expired or the router restarted. */
  NO_SUCH_ENTRY: 704,
});

/** Lease asked for, within what the service accepts. */
function leaseWithinRange(seconds: number): number {
  return Math.min(MAX_PINHOLE_LEASE_SECONDS, Math.max(1, Math.round(seconds)));
}

/**
 * A UPnP IGD v2 router's `WANIPv6FirewallControl:1` service, spoken from this host's IPv6 address: the
 * requests go out from `address` itself, because routers (miniupnpd among them) grant a pinhole only to
 * the address the request came from.
 */
export class UpnpPinholeGateway implements PinholeGateway {
  readonly protocol = "upnp" as const;

  private constructor(
    readonly location: string,
    /** This host's address, in the spelling the router compares with the request's source. */
    readonly address: string,
    private readonly service: WanService,
    private readonly timeoutMs: number | undefined,
  ) {}

  /**
   * Read the device description at `location` (over IPv6, e.g. `http://[2a0b::1]:5000/rootDesc.xml`)
   * from `address`, find the firewall service, and ask whether it lets pinholes in at all.
   */
  static async open(
    location: string,
    address: string,
    options: { signal?: AbortSignal; requestTimeoutMs?: number } = {},
  ): Promise<UpnpPinholeGateway> {
    const from = canonicalIpv6(address);
    const answer = await requestRouterTextFrom(
      from,
      location,
      {},
      { signal: options.signal, timeoutMs: options.requestTimeoutMs },
    ).catch((error: unknown) => {
      throw new PortMappingError(`cannot read the UPnP device description: ${errorText(error)}`);
    });
    if (!answer.ok)
      throw new PortMappingError(
        `cannot read the UPnP device description at ${location}: HTTP ${answer.status} ${answer.statusText}`,
      );
    const gateway = new UpnpPinholeGateway(
      location,
      from,
      parseFirewallService(answer.text, location),
      options.requestTimeoutMs,
    );
    const status = await gateway.firewallStatus(options.signal);
    if (!status.firewallEnabled)
      throw new PortMappingError(
        `the router at ${location} reports its IPv6 firewall off (FirewallEnabled 0): inbound IPv6 needs no pinhole there`,
        PINHOLE_ERROR.FIREWALL_DISABLED,
      );
    if (!status.inboundPinholeAllowed)
      throw new PortMappingError(
        `the router at ${location} does not allow IPv6 pinholes (InboundPinholeAllowed 0); allow them in its UPnP settings`,
        PINHOLE_ERROR.INBOUND_PINHOLE_NOT_ALLOWED,
      );
    return gateway;
  }

  /** The router's name for itself, for status lines. */
  get name(): string {
    return this.service.friendlyName;
  }

  private async call(
    action: string,
    args: ReadonlyArray<readonly [string, string | number]>,
    signal?: AbortSignal,
  ): Promise<Record<string, string>> {
    try {
      return await callAction({
        ...this.service,
        action,
        args,
        signal,
        localAddress: this.address,
        timeoutMs: this.timeoutMs,
      });
    } catch (error) {
      if (!(error instanceof PortMappingError)) throw error;
      throw new PortMappingError(`the router at ${this.location}: ${error.message}`, error.code);
    }
  }

  /** `GetFirewallStatus`: whether the firewall is on and whether it lets pinholes be opened. */
  async firewallStatus(
    signal?: AbortSignal,
  ): Promise<{ firewallEnabled: boolean; inboundPinholeAllowed: boolean }> {
    const out = await this.call("GetFirewallStatus", [], signal);
    return {
      firewallEnabled: out.FirewallEnabled === "1" || out.FirewallEnabled === "true",
      inboundPinholeAllowed: out.InboundPinholeAllowed === "1" || out.InboundPinholeAllowed === "true",
    };
  }

  /** `AddPinhole` from any remote host and port to `address`:`port`; the router's UniqueID is the handle. */
  async open(request: PinholeRequest, signal?: AbortSignal): Promise<GrantedPinhole> {
    const internalClient = canonicalIpv6(request.address);
    if (internalClient !== this.address)
      throw new PortMappingError(
        `a pinhole for ${internalClient} cannot be asked for from ${this.address}: the router grants pinholes only to the address that asks`,
      );
    const leaseSeconds = leaseWithinRange(request.leaseSeconds);
    const out = await this.call(
      "AddPinhole",
      [
        // Empty RemoteHost and RemotePort 0 are the service's wildcards: any peer may come in.
        ["RemoteHost", ""],
        ["RemotePort", 0],
        ["InternalClient", internalClient],
        ["InternalPort", request.port],
        ["Protocol", PINHOLE_PROTOCOL_NUMBER[request.transport]],
        ["LeaseTime", leaseSeconds],
      ],
      signal,
    );
    const id = out.UniqueID ?? "";
    if (!/^\d+$/.test(id))
      throw new PortMappingError(
        `the router at ${this.location} answered AddPinhole without a UniqueID (got ${JSON.stringify(id)})`,
      );
    return { ...request, address: internalClient, leaseSeconds, handle: id };
  }

  /**
   * `UpdatePinhole` with the new lease. A router that no longer knows the UniqueID (it expired, or the
   * router restarted) gets the pinhole added again.
   */
  async renew(pinhole: GrantedPinhole, leaseSeconds: number, signal?: AbortSignal): Promise<GrantedPinhole> {
    const lease = leaseWithinRange(leaseSeconds);
    try {
      await this.call(
        "UpdatePinhole",
        [
          ["UniqueID", pinhole.handle],
          ["NewLeaseTime", lease],
        ],
        signal,
      );
      return { ...pinhole, leaseSeconds: lease };
    } catch (error) {
      if ((error as PortMappingError).code !== PINHOLE_ERROR.NO_SUCH_ENTRY) throw error;
      return this.open({ ...pinhole, leaseSeconds: lease }, signal);
    }
  }

  /** `DeletePinhole`; one the router no longer knows is gone already. */
  async close(pinhole: GrantedPinhole, signal?: AbortSignal): Promise<void> {
    try {
      await this.call("DeletePinhole", [["UniqueID", pinhole.handle]], signal);
    } catch (error) {
      if ((error as PortMappingError).code !== PINHOLE_ERROR.NO_SUCH_ENTRY) throw error;
    }
  }
}
