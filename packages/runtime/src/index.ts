// The public surface of @autostun/runtime; everything else in src/ is internal.
export * from "./events/bus.js";
export * from "./lifecycle/descriptor-exhaustion.js";
export * from "./lifecycle/lifecycle.js";
export * from "./lifecycle/startup-refused.js";
export * from "./log/logger.js";
export * from "./log/repeated-failure-log.js";
export * from "./text/localized-error.js";
export * from "./timers/deadline.js";
export * from "./timers/long-timer.js";
