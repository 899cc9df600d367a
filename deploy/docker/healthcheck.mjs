// Docker HEALTHCHECK: healthy means the daemon's GraphQL API answers a query, not merely that the process
// exists. Slim images carry no curl, so Node (already there) asks. Exit 0 healthy, 1 not.
//
// The address and token come from the same AUTOSTUN_* variables the daemon reads; a listen address or
// token set only in the YAML file is invisible here, so the compose example sets them in the environment.
// Without AUTOSTUN_API_TOKEN the token is the one the daemon made in its dataDir (AUTOSTUN_DATA_DIR):
// HEALTHCHECK runs as the image's user, the daemon's own, which may read that 0600 file.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const {
  AUTOSTUN_API_LISTEN: listenSetting,
  AUTOSTUN_DATA_DIR: dataDir,
  AUTOSTUN_API_TOKEN: given,
} = process.env;
let token = given;
if (!token) {
  try {
    token = readFileSync(join(dataDir || "data", "api-token"), "utf8").trim();
  } catch (error) {
    // The request then goes without one; its 401 is the report, next to this reason.
    console.error(`no API token: ${error instanceof Error ? error.message : error}`);
  }
}
const listen = listenSetting || "127.0.0.1:7878";
const split = listen.lastIndexOf(":");
let host = listen.slice(0, split).replace(/^\[|\]$/g, "");
const port = listen.slice(split + 1);
// A wildcard address is reachable on loopback; it cannot be dialled as such.
if (host === "" || host === "0.0.0.0") host = "127.0.0.1";
if (host === "::") host = "::1";
const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}/graphql`;

try {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: "{ checks { id } }" }),
    signal: AbortSignal.timeout(5_000),
  });
  const body = await response.json();
  if (!response.ok || !Array.isArray(body?.data?.checks)) {
    console.error(`unhealthy: ${url} answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
    process.exit(1);
  }
  console.log(`healthy: ${body.data.checks.length} checks known`);
} catch (error) {
  console.error(`unhealthy: no answer from ${url}: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
