export {
  type ClassifyInput,
  classifyNat,
  filteringFromTests,
  type MappedPoint,
  mappingFromServers,
  mappingFromTests,
} from "./discovery/classify.js";
export { discoverNat } from "./discovery/discover.js";
export { parseHostPort } from "./discovery/server-address.js";
export type * from "./discovery/types.js";
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
export { bytesToIp, familyOf, normalizeIp } from "./message/ip.js";
export type * from "./message/types.js";
export * from "./server/cli.js";
export type { StunServerOptions } from "./server/options.js";
export { planResponse, type ResponsePlan, type ServerAddresses, type SocketSlot } from "./server/respond.js";
export { type StunServer, type StunServerEndpoint, startStunServer } from "./server/stun-server.js";
export { retransmitSchedule } from "./transport/retransmit.js";
export { type FramerOutput, StunStreamFramer } from "./transport/stream-framer.js";
export * from "./transport/tcp-client.js";
export * from "./transport/types.js";
export * from "./transport/udp-client.js";
