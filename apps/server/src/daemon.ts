import type { DependencyContainer } from "tsyringe";
import type { AutostunConfig } from "./config/schema.js";
import { buildContainer } from "./container.js";
import { type CheckEngine, EngineClosedError } from "./engine/engine.js";
import { watchNetwork } from "./engine/network-watch.js";
import type { ExtensionHost } from "./extensions/host.js";
import { isLoopbackHost } from "./graphql/auth.js";
import { type RunningHttp, splitHostPort, startHttp } from "./http/server.js";
import type { RootLogger } from "./log/logger.js";
import type { CheckStore } from "./store/check-store.js";
import { DataDirUnusable } from "./store/data-dir.js";
import { type Db, openDatabase } from "./store/database.js";
import { every, type LongTimer } from "./timers/long-timer.js";
import { Tokens } from "./tokens.js";

/** How long stopping waits for cancelled checks to wind down before it closes the database anyway. */
export const STOP_GRACE_MS = 5_000;

/** Thrown when the daemon must not start as configured; the CLI exits 2 with the message. */
export class StartupRefused extends Error {}

export interface Daemon {
  url: string;
  container: DependencyContainer;
  engine: CheckEngine;
  /** Cancels every running check, waits at most {@link STOP_GRACE_MS} for them, then closes everything. */
  stop(): Promise<void>;
}

export interface DaemonOptions {
  /** Where news the user must see even with logs off goes, one line each; the CLI writes it to stderr. */
  notice?: (line: string) => void;
}

/** Opens the database before anything else starts, so a bad dataDir stops the daemon with one clear line. */
function openStore(config: AutostunConfig, logger: RootLogger, options: DaemonOptions): Db {
  try {
    return openDatabase(config.dataDir, {
      onMovedAside: ({ path, keptAs, reason }) => {
        logger.warn(
          { path, keptAs, reason },
          "the database was damaged: kept it aside and started a fresh one",
        );
        options.notice?.(
          `warning: the database ${path} was damaged (${reason}); it is kept as ${keptAs} and a fresh one was made. Earlier check history is in the kept file.`,
        );
      },
    });
  } catch (error) {
    if (error instanceof DataDirUnusable) throw new StartupRefused(error.message);
    throw error;
  }
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

/** Why listening failed and what to do, in a sentence; the raw message for anything unforeseen. */
function listenProblem(error: unknown): string {
  const change = "set api.listen (or --listen)";
  switch ((error as NodeJS.ErrnoException).code) {
    case "EADDRINUSE":
      return `another program already uses that port (another AutoSTUN?). Stop it, or ${change} to a free port.`;
    case "EACCES":
      return `this user may not listen on that port (ports below 1024 need privileges). ${change} to a port from 1024 up.`;
    case "EADDRNOTAVAIL":
      return `this machine has no such address. ${change} to 127.0.0.1 or one of this machine's addresses.`;
    default:
      return `${(error as Error).message}. Check api.listen.`;
  }
}

/** Starts everything `autostun serve` runs, in the order of the architecture's start flow. */
export async function startDaemon(
  config: AutostunConfig,
  logger: RootLogger,
  overrides?: (c: DependencyContainer) => void,
  options: DaemonOptions = {},
): Promise<Daemon> {
  assertSafeApi(config);
  const db = openStore(config, logger, options);
  const container = buildContainer({ config, logger, database: config.dataDir }, (c) => {
    c.register(Tokens.Database, { useValue: db });
    overrides?.(c);
  });
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
    throw new StartupRefused(`cannot listen on ${config.api.listen}: ${listenProblem(error)}`);
  }

  const runAll = (reason: string) =>
    engine.run().catch((error: unknown) => {
      // Once stopping, refused runs are expected, not failures.
      if (!(error instanceof EngineClosedError))
        logger.error({ reason, error: String(error) }, "diagnosis failed");
    });
  if (config.checks.runOnStart) void runAll("start");
  const timers: LongTimer[] = [];
  if (config.checks.intervalSeconds > 0) {
    timers.push(every(config.checks.intervalSeconds * 1000, () => void runAll("schedule")));
  }
  const network = watchNetwork(() => void runAll("network changed"));
  logger.info({ url: http.url }, "AutoSTUN is serving");
  let stopping: Promise<void> | undefined;

  return {
    url: http.url,
    container,
    engine,
    stop() {
      stopping ??= (async () => {
        for (const timer of timers) timer.cancel();
        network.dispose();
        engine.cancelAll("AutoSTUN is stopping");
        let grace: NodeJS.Timeout | undefined;
        const settled = await Promise.race([
          engine.idle().then(() => true),
          new Promise<false>((resolve) => {
            grace = setTimeout(() => resolve(false), STOP_GRACE_MS);
          }),
        ]);
        clearTimeout(grace);
        if (!settled)
          logger.warn(
            { graceMs: STOP_GRACE_MS },
            "checks were still winding down when the grace period ended; stopping without their results",
          );
        await http.close();
        await host.dispose();
        container.resolve<CheckStore>(Tokens.CheckStore).close();
        logger.info("AutoSTUN stopped");
      })();
      return stopping;
    },
  };
}
