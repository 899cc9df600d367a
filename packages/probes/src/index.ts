/**
 * Real implementations of the services a check or the relay reads the host through. The server
 * registers them in its container; tests swap in fixture roots and recorded command outputs
 * (`@autostun/probes/testing`).
 */
export { type CommandRunnerOptions, createCommandRunner } from "./commands/command-runner.js";
export { powershellCommand } from "./commands/powershell.js";
export { createSystemFiles } from "./files/system-files.js";
export { createHostInfo, type HostInfoOptions } from "./host/host-info.js";
export { createNetworkInfo } from "./host/network-info.js";
