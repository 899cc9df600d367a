import type { DependencyContainer } from "tsyringe";
import type { AutostunConfig } from "./config/schema.js";
import { buildContainer } from "./container.js";
import type { CheckEngine } from "./engine/engine.js";
import { watchNetwork } from "./engine/network-watch.js";
import type { ExtensionHost } from "./extensions/host.js";
import { isLoopbackHost } from "./graphql/auth.js";
import { type RunningHttp, splitHostPort, startHttp } from "./http/server.js";
import type { RootLogger } from "./log/logger.js";
import type { CheckStore } from "./store/check-store.js";
import { Tokens } from "./tokens.js";

/** Thrown when the daemon must not start as configured; the CLI exits 2 with the message. */
export class StartupRefused extends Error {}

export interface Daemon {
  url: string;
  container: DependencyContainer;
  engine: CheckEngine;
  stop(): Promise<void>;
}

/** Refuses an API reachable from other machines without a token. */
export function assertSafeApi(config: AutostunConfig): void {
  const { host } = splitHostPort(config.api.listen);
  if (!isLoopbackHost(host) && !config.api.token) {
    throw new StartupRefused(
      `api.listen is ${config.api.listen}, which other machines can reach, but api.token is not set. ` +
        "Set api.token (16+ characters, e.g. from `openssl rand -hex 24`) or listen on 127.0.0.1.",
    );
  }
}

/** Starts everything `autostun serve` runs, in the order of the architecture's start flow. */
export async function startDaemon(
  config: AutostunConfig,
  logger: RootLogger,
  overrides?: (c: DependencyContainer) => void,
): Promise<Daemon> {
  assertSafeApi(config);
  const container = buildContainer({ config, logger, database: config.dataDir }, overrides);
  const host = container.resolve<ExtensionHost>(Tokens.ExtensionHost);
  await host.activateStartup();
  const engine = container.resolve<CheckEngine>(Tokens.CheckEngine);
  const { host: address, port } = splitHostPort(config.api.listen);
  let http: RunningHttp;
  try {
    http = await startHttp({
      host: address,
      port,
      ...(config.api.token ? { token: config.api.token } : {}),
      services: { engine, host, bus: container.resolve(Tokens.Bus) },
      logger,
    });
  } catch (error) {
    await host.dispose();
    container.resolve<CheckStore>(Tokens.CheckStore).close();
    throw new StartupRefused(`cannot listen on ${config.api.listen}: ${(error as Error).message}`);
  }

  const runAll = (reason: string) =>
    engine
      .run()
      .catch((error: unknown) => logger.error({ reason, error: String(error) }, "diagnosis failed"));
  if (config.checks.runOnStart) void runAll("start");
  const timers: NodeJS.Timeout[] = [];
  if (config.checks.intervalSeconds > 0) {
    timers.push(setInterval(() => void runAll("schedule"), config.checks.intervalSeconds * 1000).unref());
  }
  const network = watchNetwork(() => void runAll("network changed"));
  logger.info({ url: http.url }, "AutoSTUN is serving");

  return {
    url: http.url,
    container,
    engine,
    async stop() {
      for (const timer of timers) clearInterval(timer);
      network.dispose();
      await http.close();
      await host.dispose();
      container.resolve<CheckStore>(Tokens.CheckStore).close();
    },
  };
}
