export { bitsOf, formatIp, type IpAddress, parseIp } from "./address.js";
export { type Cidr, cidrContains, formatCidr, isCidrError, maskOf, parseCidr } from "./cidr.js";
export {
  ADDRESS_KINDS,
  type AddressKind,
  addressKind,
  addressKindOf,
  meansAnotherNat,
} from "./kind.js";
