export { bitsOf, formatIp, type IpAddress, parseIp } from "./address.js";
export { type Cidr, cidrContains, formatCidr, isCidrError, maskOf, parseCidr } from "./cidr.js";
export {
  type GlobalIpv6Address,
  isGlobalUnicast6,
  parseGlobalIpv6,
  parseListenerAddresses,
} from "./host-ipv6.js";
export {
  ADDRESS_KINDS,
  type AddressKind,
  addressKind,
  addressKindOf,
  meansAnotherNat,
} from "./kind.js";
