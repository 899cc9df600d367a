// The public surface of @autostun/store; everything else in src/ is internal.
export * from "./data-dir.js";
export * from "./database.js";
export * from "./write-guard.js";
