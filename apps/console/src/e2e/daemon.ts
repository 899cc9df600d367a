import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The monorepo root, where `apps/server/bin/autostun.mjs` lives. */
export const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/** A free TCP port on loopback, found by letting the kernel pick one and releasing it. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** What the daemon logs when it starts a diagnosis because the machine's addresses changed. */
const NETWORK_RUN = "the network changed; running the diagnosis again";

/** A real `autostun serve` process on loopback with its own data folder. */
export interface RunningDaemon {
  url: string;
  port: number;
  /** The API token: the one passed in, else the one the daemon made in its dataDir. */
  token: string;
  /**
   * How many diagnoses the daemon started because the machine's addresses changed. It runs on this
   * machine's own network, where test files running in parallel add and remove interfaces, so such runs
   * come at any time.
   */
  networkRuns(): number;
  /** Stops the process (SIGTERM, then SIGKILL if it lingers). */
  stop(): Promise<void>;
}

/** What a test daemon is started with. */
export interface DaemonOptions {
  /** Reuse a port (to restart a stopped daemon in place); a free one otherwise. */
  port?: number;
  /** Reuse a data folder; a fresh temporary one otherwise. */
  dataDir?: string;
  token?: string;
  /** A folder of plugin folders, for `plugins.dirs`. */
  pluginsDir?: string;
}

/**
 * Starts the daemon with a config that keeps it on loopback and away from public STUN servers, and
 * resolves once it printed its console URL. Rejects with its output if it exits first.
 */
export async function startDaemon(options: DaemonOptions = {}): Promise<RunningDaemon & { dataDir: string }> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "autostun-console-e2e-data-")));
  const configDir = await mkdtemp(join(tmpdir(), "autostun-console-e2e-config-"));
  const configFile = join(configDir, "autostun.yaml");
  const api = options.token
    ? `{ listen: "127.0.0.1:${port}", token: "${options.token}" }`
    : `{ listen: "127.0.0.1:${port}" }`;
  const plugins = options.pluginsDir ? `plugins: { dirs: [${JSON.stringify(options.pluginsDir)}] }\n` : "";
  await writeFile(
    configFile,
    `api: ${api}\ndataDir: ${JSON.stringify(dataDir)}\nstun: { udp: [], tcp: [] }\n${plugins}`,
    "utf8",
  );

  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, "apps/server/bin/autostun.mjs"), "serve", "--config", configFile],
    { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  const url = `http://127.0.0.1:${port}/`;
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (output.includes(url)) resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      reject(new Error(`autostun serve exited (${code ?? signal}) before printing ${url}:\n${output}`)),
    );
  });

  const token = options.token ?? (await readFile(join(dataDir, "api-token"), "utf8")).trim();
  tokens.set(url, token);
  return {
    url,
    port,
    token,
    dataDir,
    networkRuns: () => output.split(NETWORK_RUN).length - 1,
    async stop() {
      await stopProcess(child);
      await rm(configDir, { recursive: true, force: true });
    },
  };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(killer);
}

/** The token of each daemon started here, by its URL, for requests the test makes itself. */
const tokens = new Map<string, string>();

/**
 * A GraphQL request from the test itself, as another client of the daemon would make it: with the
 * daemon's token unless `token` names another one.
 */
export async function graphqlRequest<T>(
  baseUrl: string,
  query: string,
  options: { variables?: Record<string, unknown>; locale?: string; token?: string } = {},
): Promise<T> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-autostun-locale": options.locale ?? "en",
  };
  const token = options.token ?? tokens.get(baseUrl);
  if (token) headers["authorization"] = `Bearer ${token}`;
  const response = await fetch(new URL("graphql", baseUrl), {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables: options.variables ?? {} }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (!response.ok || !body.data) {
    throw new Error(`GraphQL request failed (${response.status}): ${JSON.stringify(body.errors)}`);
  }
  return body.data;
}
