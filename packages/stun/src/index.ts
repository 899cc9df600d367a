export * from "./message/accessors.js";
export {
  AttributeType,
  FINGERPRINT_XOR,
  HEADER_SIZE,
  MAGIC_COOKIE,
  StunMethod,
} from "./message/constants.js";
export { decodeMessage, looksLikeStun } from "./message/decode.js";
export { type EncodeOptions, encodeMessage } from "./message/encode.js";
export { familyOf, normalizeIp } from "./message/ip.js";
export type * from "./message/types.js";
