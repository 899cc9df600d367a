export { type AutostunConfig, configSchema, loadConfig } from "@autostun/config";
export { main } from "./cli/main.js";
export { type Daemon, startDaemon } from "./daemon.js";
export { printSdl, schema } from "./graphql/schema.js";
