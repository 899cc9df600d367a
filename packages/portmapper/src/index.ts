// The public surface of @autostun/portmapper: map a port on the home router by UPnP IGD, PCP or NAT-PMP.
export { defaultGatewayV4, parseDefaultGateway } from "./default-gateway.js";
export {
  FIREWALL_SERVICE_TYPE,
  parseDescription,
  parseFirewallService,
  WAN_SERVICE_TYPES,
  type WanService,
} from "./device-description.js";
export { errorText, errorText as portMappingErrorText, PortMappingError } from "./errors.js";
export { type FindGatewayOptions, findGateway, type GatewaySearch } from "./find-gateway.js";
export type { GrantedMapping, MappingGateway } from "./gateway.js";
export { NAT_PMP_PORT, NatPmpGateway } from "./nat-pmp-gateway.js";
export { PcpGateway } from "./pcp-gateway.js";
export {
  type FindPinholeGatewayOptions,
  findPinholeGateway,
  PINHOLE_REQUEST_TIMEOUT_MS,
  type PinholeGatewaySearch,
} from "./pinholes/find-pinhole-gateway.js";
export { canonicalIpv6, defaultGatewayV6, parseDefaultGatewayV6 } from "./pinholes/ipv6-host.js";
export { PCP, PCP_RESULT, PcpPinholeGateway } from "./pinholes/pcp-pinhole-gateway.js";
export {
  PINHOLE_RETRY_SECONDS,
  PinholeKeeper,
  type PinholeKeeperOptions,
} from "./pinholes/pinhole-keeper.js";
export type {
  GrantedPinhole,
  PinholeGateway,
  PinholeRequest,
  PinholeStatus,
  PinholeTransport,
} from "./pinholes/pinhole-types.js";
export {
  MAX_PINHOLE_LEASE_SECONDS,
  PINHOLE_ERROR,
  PINHOLE_PROTOCOL_NUMBER,
  UpnpPinholeGateway,
} from "./pinholes/upnp-pinhole-gateway.js";
export { PortMapper, type PortMapperOptions, type PortMappingStatus } from "./port-mapper.js";
export { locationOf, SsdpSearchError, searchGateway } from "./ssdp-search.js";
export { UpnpGateway } from "./upnp-gateway.js";
