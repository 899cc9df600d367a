/**
 * Real implementations of the probe services a check reads the host through. The server registers
 * them in its container; tests swap in fixture roots and recorded command outputs.
 */
export { type CommandRunnerOptions, createCommandRunner } from "./command-runner.js";
export { createHostInfo } from "./host-info.js";
export { createNetworkInfo } from "./network-info.js";
export { createSystemFiles } from "./system-files.js";
