// The public surface of @autostun/portmapper: map a port on the home router by UPnP IGD, PCP or NAT-PMP.
export { defaultGatewayV4, parseDefaultGateway } from "./default-gateway.js";
export { parseDescription, WAN_SERVICE_TYPES, type WanService } from "./device-description.js";
export { errorText, errorText as portMappingErrorText, PortMappingError } from "./errors.js";
export { type FindGatewayOptions, findGateway, type GatewaySearch } from "./find-gateway.js";
export type { GrantedMapping, MappingGateway } from "./gateway.js";
export { NAT_PMP_PORT, NatPmpGateway } from "./nat-pmp-gateway.js";
export { PcpGateway } from "./pcp-gateway.js";
export { PortMapper, type PortMapperOptions, type PortMappingStatus } from "./port-mapper.js";
export { locationOf, SsdpSearchError, searchGateway } from "./ssdp-search.js";
export { UpnpGateway } from "./upnp-gateway.js";
