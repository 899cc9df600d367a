export type { Ban, BanStore } from "./bans/ban.js";
export { MAX_BAN_REASON_LENGTH, MemoryBanStore } from "./bans/ban.js";
export { type BanFileProblem, parseBanFile } from "./bans/ban-file.js";
export { type BanFileLoad, BanFileWatcher, type BanFileWatcherOptions } from "./bans/ban-file-watcher.js";
export {
  type BanCause,
  type BanEnforcer,
  type BanEvent,
  type BanInput,
  type BanInputError,
  BanList,
  type BanManyOutcome,
  type BanNotApplied,
  type BanOutcome,
  type BanPage,
  InvalidBanError,
  MAX_BAN_BATCH,
  type UnbanOutcome,
} from "./bans/ban-list.js";
export type {
  ConnectionProtocol,
  ConnectionRecord,
  ConnectionSink,
  GeoInfo,
} from "./connections/connection-record.js";
export { connectionProtocol, formatEndpoint } from "./connections/connection-record.js";
export {
  type ConnectionEvent,
  type ConnectionRetention,
  ConnectionTable,
  type ConnectionTableOptions,
  DEFAULT_RETENTION,
} from "./connections/connection-table.js";
export { Forwarder } from "./forward/forwarder.js";
export {
  FORWARDER_DEFAULTS,
  FORWARDER_SERVER_OPTIONS,
  type ForwarderOptions,
  type ForwarderStats,
} from "./forward/forwarder-options.js";
export { EMBEDDED_ATTRIBUTION } from "./geo/embedded-database.js";
export { type GeoLookup, NO_GEO } from "./geo/geo-lookup.js";
export { type GeoDatabasePaths, MaxmindGeo, type MaxmindGeoOptions } from "./geo/maxmind-geo.js";
export type { InboundHandler } from "./inbound.js";
export { type CrashSweepOptions, sweepKernelLeftovers } from "./nftables/crash-sweep.js";
export { NftablesForwardingError } from "./nftables/forwarding-error.js";
export { KernelStateFile } from "./nftables/kernel-state-file.js";
export {
  NftablesForwarding,
  type NftablesForwardingOptions,
  type NftablesStats,
} from "./nftables/nftables-forwarding.js";
export {
  AUTOSTUN_TABLE,
  NftablesTable,
  type NftablesTableOptions,
  TABLE_CHECK_INTERVAL_MS,
  type TunnelCounts,
} from "./nftables/nftables-table.js";
export { type PublicAddress, PunchFailedError, type PunchResult, punchStun } from "./punch/stun-race.js";
export { FORBIDDEN_ADVICE, forbiddenAddressText } from "./target/forbidden-addresses.js";
export { TargetRefusedError } from "./target/target-error.js";
export {
  type ForwardTarget,
  type OwnPort,
  type TargetScope,
  type TargetValidationOptions,
  validateTarget,
} from "./target/validate-target.js";
export { type BackoffPolicy, retryDelay } from "./tunnel/backoff.js";
export {
  pathCost,
  pathOf,
  type TunnelInbound,
  type TunnelPath,
} from "./tunnel/inbound-path.js";
export type { KeepAliveHandle, NetworkWatcher, TunnelNetwork } from "./tunnel/network.js";
export { hostNetworkSource, type NetworkSource } from "./tunnel/network-watch.js";
export { DEFAULT_TIMING, type TunnelTiming } from "./tunnel/timing.js";
export { Tunnel, type TunnelOptions } from "./tunnel/tunnel.js";
export type {
  PortChange,
  PortChangeListener,
  TunnelEvent,
  TunnelListener,
  TunnelPorts,
  TunnelState,
  TunnelStatus,
} from "./tunnel/types.js";
export {
  EQUAL_PAIR_BUDGET,
  type EqualPairOptions,
  type EqualPairOutcome,
  type EqualPairTried,
  findEqualPortPair,
  type HeldTcpMapping,
} from "./udp/equal-pair.js";
export {
  EQUAL_PORT_BUDGET,
  type EqualPortBudget,
  type EqualPortFailure,
  type EqualPortFailureCode,
  type EqualPortOptions,
  type EqualPortOutcome,
  type EqualPortTried,
  findEqualPortUdp,
  type PortAllocation,
} from "./udp/equal-port.js";
export { chooseFreeDualPort } from "./udp/free-dual-port.js";
export { UdpForwarder } from "./udp/udp-forwarder.js";
export {
  UDP_FORWARDER_DEFAULTS,
  type UdpForwarderOptions,
  type UdpForwarderStats,
  type UdpForwardPort,
  validateUdpForwarderOptions,
} from "./udp/udp-forwarder-options.js";
export {
  UdpMapping,
  type UdpMappingEvent,
  type UdpMappingListener,
  type UdpMappingOptions,
  type UdpMappingStatus,
} from "./udp/udp-mapping.js";
export type { UdpMappingNetwork, UdpMappingSocket } from "./udp/udp-network.js";
export { punchUdp, UdpPunchFailedError, type UdpPunchResult } from "./udp/udp-punch.js";
export { type DatagramListener, type UdpAskOptions, UdpBindError, UdpStunPort } from "./udp/udp-stun-port.js";
export {
  DEFAULT_UDP_TIMING,
  UDP_KEEPALIVE_SECONDS,
  type UdpMappingTiming,
  validateUdpKeepaliveSeconds,
} from "./udp/udp-timing.js";
