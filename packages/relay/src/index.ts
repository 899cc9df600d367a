export type { InboundHandler } from "./inbound.js";
