// The public surface of @autostun/config; everything else in src/ is internal.
export * from "./commands-schema.js";
export * from "./defaults.js";
export * from "./errors.js";
export * from "./json-schema.js";
export * from "./limits.js";
export * from "./load.js";
export * from "./reload-keys.js";
export * from "./schema.js";
export * from "./schema-problems.js";
export * from "./sources.js";
export * from "./subscription-limits.js";
export * from "./tunnel-targets.js";
export * from "./yaml-guards.js";
