import { readApiTokenFile } from "@autostun/api-guard";
import { loadConfig } from "@autostun/config";

/**
 * The API token of a daemon started with `configFile`, as its owner finds it: api.token (file or
 * environment), else the token file in its dataDir. Call it once the daemon printed its URL (the file
 * exists by then). Throws with the file named when it cannot be read.
 */
export function tokenOfConfig(configFile: string, env: NodeJS.ProcessEnv = process.env): string {
  const { config } = loadConfig({ file: configFile, env });
  if (config.api.token) return config.api.token;
  const read = readApiTokenFile(config.dataDir);
  if (!read.ok) throw new Error(read.problem);
  return read.token;
}
