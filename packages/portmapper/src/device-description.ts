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

/**
 * Find the port-mapping service in a UPnP device description (`rootDesc.xml`): the first service of a
 * type in {@link WAN_SERVICE_TYPES}, its control URL resolved against `URLBase` or the description's URL.
 */
export function parseDescription(xml: string, descriptionUrl: string): WanService {
  const services = elementsNamed(xml, "service").map((block) => ({
    serviceType: firstText(block, "serviceType") ?? "",
    controlPath: firstText(block, "controlURL") ?? "",
  }));
  const base = firstText(xml, "URLBase") || descriptionUrl;
  for (const type of WAN_SERVICE_TYPES) {
    const service = services.find((s) => s.serviceType === type && s.controlPath);
    if (!service) continue;
    if (!URL.canParse(service.controlPath, base))
      throw new PortMappingError(
        `the UPnP device at ${descriptionUrl} gives a control URL that is not one: ${service.controlPath} (base ${base})`,
      );
    return {
      serviceType: type,
      controlUrl: new URL(service.controlPath, base).toString(),
      friendlyName: firstText(xml, "friendlyName") ?? "",
    };
  }
  throw new PortMappingError(
    `the UPnP device at ${descriptionUrl} offers no port-mapping service (WANIPConnection or WANPPPConnection); found: ${services.map((s) => s.serviceType).join(", ") || "none"}`,
  );
}
