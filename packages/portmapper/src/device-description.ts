import { PortMappingError } from "./errors.js";
import { elementsNamed, firstText } from "./xml-text.js";

/** The WAN connection services that can map ports, best first (IGD v2 before v1, IP before PPP). */
export const WAN_SERVICE_TYPES = [
  "urn:schemas-upnp-org:service:WANIPConnection:2",
  "urn:schemas-upnp-org:service:WANIPConnection:1",
  "urn:schemas-upnp-org:service:WANPPPConnection:1",
] as const;

/** Where to send SOAP requests to map ports on a gateway. */
export interface WanService {
  serviceType: string;
  /** Absolute URL of the service's control endpoint. */
  controlUrl: string;
  /** The device's own name for itself (e.g. "Debian router"), for status lines. */
  friendlyName: string;
}

/** UPnP IGD v2's service for IPv6 pinholes. */
export const FIREWALL_SERVICE_TYPE = "urn:schemas-upnp-org:service:WANIPv6FirewallControl:1";

/** The services a description lists, with their control URLs as written. */
function servicesOf(xml: string) {
  return elementsNamed(xml, "service").map((block) => ({
    serviceType: firstText(block, "serviceType") ?? "",
    controlPath: firstText(block, "controlURL") ?? "",
  }));
}

/** A control path resolved against `URLBase` or the description's URL, or a clear error. */
function controlUrlOf(xml: string, descriptionUrl: string, controlPath: string): string {
  const base = firstText(xml, "URLBase") || descriptionUrl;
  if (!URL.canParse(controlPath, base))
    throw new PortMappingError(
      `the UPnP device at ${descriptionUrl} gives a control URL that is not one: ${controlPath} (base ${base})`,
    );
  return new URL(controlPath, base).toString();
}

/**
 * Find the IPv6 firewall service (`WANIPv6FirewallControl:1`, IGD v2) in a device description. Throws a
 * {@link PortMappingError} naming what the device offers instead when it has none (IGD v1 routers).
 */
export function parseFirewallService(xml: string, descriptionUrl: string): WanService {
  const services = servicesOf(xml);
  const service = services.find((s) => s.serviceType === FIREWALL_SERVICE_TYPE && s.controlPath);
  if (!service)
    throw new PortMappingError(
      `the UPnP device at ${descriptionUrl} offers no IPv6 firewall service (${FIREWALL_SERVICE_TYPE}, IGD v2); found: ${services.map((s) => s.serviceType).join(", ") || "none"}`,
    );
  return {
    serviceType: FIREWALL_SERVICE_TYPE,
    controlUrl: controlUrlOf(xml, descriptionUrl, service.controlPath),
    friendlyName: firstText(xml, "friendlyName") ?? "",
  };
}

/**
 * Find the port-mapping service in a UPnP device description (`rootDesc.xml`): the first service of a
 * type in {@link WAN_SERVICE_TYPES}, its control URL resolved against `URLBase` or the description's URL.
 */
export function parseDescription(xml: string, descriptionUrl: string): WanService {
  const services = servicesOf(xml);
  for (const type of WAN_SERVICE_TYPES) {
    const service = services.find((s) => s.serviceType === type && s.controlPath);
    if (!service) continue;
    return {
      serviceType: type,
      controlUrl: controlUrlOf(xml, descriptionUrl, service.controlPath),
      friendlyName: firstText(xml, "friendlyName") ?? "",
    };
  }
  throw new PortMappingError(
    `the UPnP device at ${descriptionUrl} offers no port-mapping service (WANIPConnection or WANPPPConnection); found: ${services.map((s) => s.serviceType).join(", ") || "none"}`,
  );
}
