export type { InboundHandler } from "./inbound.js";
export { type PublicAddress, PunchFailedError, type PunchResult, punchStun } from "./punch/stun-race.js";
export { type BackoffPolicy, retryDelay } from "./tunnel/backoff.js";
export type { KeepAliveHandle, NetworkWatcher, TunnelNetwork } from "./tunnel/network.js";
export { hostNetworkSource, type NetworkSource } from "./tunnel/network-watch.js";
export { DEFAULT_TIMING, type TunnelTiming } from "./tunnel/timing.js";
export { Tunnel, type TunnelOptions } from "./tunnel/tunnel.js";
export type { TunnelEvent, TunnelListener, TunnelState, TunnelStatus } from "./tunnel/types.js";
