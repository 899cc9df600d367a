import { parseDescription, type WanService } from "./device-description.js";
import { errorText, PortMappingError } from "./errors.js";
import type { GrantedMapping, MappingGateway } from "./gateway.js";
import { localAddressToward } from "./local-address.js";
import { fetchRouterText, type RouterAnswer } from "./router-http.js";
import { callAction } from "./soap.js";

/** UPnP error 725: the gateway only accepts leases without an end (IGD v1 routers). */
const ONLY_PERMANENT_LEASES = 725;

/** A UPnP Internet Gateway Device, reached through its device description URL. */
export class UpnpGateway implements MappingGateway {
  readonly protocol = "upnp" as const;

  private constructor(
    readonly location: string,
    readonly internalClient: string,
    private readonly service: WanService,
  ) {}

  /** Read the device description at `location` (e.g. `http://192.168.1.1:5000/rootDesc.xml`). */
  static async open(location: string, signal?: AbortSignal): Promise<UpnpGateway> {
    let answer: RouterAnswer;
    try {
      answer = await fetchRouterText(location, {}, { signal });
    } catch (error) {
      throw new PortMappingError(`cannot read the UPnP device description: ${errorText(error)}`);
    }
    if (!answer.ok)
      throw new PortMappingError(
        `cannot read the UPnP device description at ${location}: HTTP ${answer.status} ${answer.statusText}`,
      );
    const service = parseDescription(answer.text, location);
    const internalClient = await localAddressToward(new URL(service.controlUrl).hostname);
    return new UpnpGateway(location, internalClient, service);
  }

  get name(): string {
    return this.service.friendlyName;
  }

  private call(
    action: string,
    args: ReadonlyArray<readonly [string, string | number]>,
    signal?: AbortSignal,
  ) {
    return callAction({ ...this.service, action, args, signal });
  }

  async externalIp(signal?: AbortSignal): Promise<string> {
    const out = await this.call("GetExternalIPAddress", [], signal);
    const ip = out.NewExternalIPAddress ?? "";
    if (!ip) throw new PortMappingError(`the gateway at ${this.location} reports no external address`);
    return ip;
  }

  async mapTcp(
    port: number,
    leaseSeconds: number,
    description: string,
    signal?: AbortSignal,
  ): Promise<GrantedMapping> {
    const args = (lease: number) =>
      [
        ["NewRemoteHost", ""],
        ["NewExternalPort", port],
        ["NewProtocol", "TCP"],
        ["NewInternalPort", port],
        ["NewInternalClient", this.internalClient],
        ["NewEnabled", 1],
        ["NewPortMappingDescription", description],
        ["NewLeaseDuration", lease],
      ] as const;
    try {
      await this.call("AddPortMapping", args(leaseSeconds), signal);
      return { externalPort: port, leaseSeconds };
    } catch (error) {
      if ((error as PortMappingError).code !== ONLY_PERMANENT_LEASES) throw error;
      await this.call("AddPortMapping", args(0), signal);
      return { externalPort: port, leaseSeconds: 0 };
    }
  }

  async unmapTcp(port: number, signal?: AbortSignal): Promise<void> {
    await this.call(
      "DeletePortMapping",
      [
        ["NewRemoteHost", ""],
        ["NewExternalPort", port],
        ["NewProtocol", "TCP"],
      ],
      signal,
    );
  }

  /** Where the gateway sends external `port` now, or undefined when it holds no such mapping. */
  async tcpMappingOf(
    port: number,
    signal?: AbortSignal,
  ): Promise<{ internalClient: string; internalPort: number } | undefined> {
    try {
      const out = await this.call(
        "GetSpecificPortMappingEntry",
        [
          ["NewRemoteHost", ""],
          ["NewExternalPort", port],
          ["NewProtocol", "TCP"],
        ],
        signal,
      );
      return { internalClient: out.NewInternalClient ?? "", internalPort: Number(out.NewInternalPort) };
    } catch (error) {
      // 714 NoSuchEntryInArray: nothing mapped there.
      if ((error as PortMappingError).code === 714) return undefined;
      throw error;
    }
  }
}
