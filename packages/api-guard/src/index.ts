// The public surface of @autostun/api-guard; everything else in src/ is internal.
export * from "./api-token-file.js";
export * from "./query-limits.js";
export * from "./request-guard.js";
export * from "./subscription-caps.js";
export * from "./tarpit.js";
export * from "./token-gate.js";
