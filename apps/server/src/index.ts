export { main } from "./cli/main.js";
export { loadConfig } from "./config/load.js";
export { type AutostunConfig, configSchema } from "./config/schema.js";
export { type Daemon, startDaemon } from "./daemon.js";
export { printSdl, schema } from "./graphql/schema.js";
