import { ensureApiTokenFile, isLoopbackHost } from "@autostun/api-guard";
import type { AutostunConfig } from "@autostun/config";
import type { CheckStore } from "@autostun/extension-host";
import { type CheckEngine, watchNetwork } from "@autostun/extension-host";
import type { Disposable } from "@autostun/plugins-api";
import type { LifecycleStep } from "@autostun/runtime";
import {
  ExhaustionReporter,
  exhaustionSafetyNet,
  type RootLogger,
  StartupRefused,
  TIMED_OUT,
  withDeadline,
} from "@autostun/runtime";
import {
  DataDirUnusable,
  type Db,
  describeStorageFailure,
  isSqliteFailure,
  openDatabase,
  writeGuard,
} from "@autostun/store";
import type { DependencyContainer } from "tsyringe";
import { buildContainer, type DaemonServices } from "./container.js";
import { splitHostPort } from "./http/server.js";
import type { ConfigReloader, ReloadResult } from "./lifecycle/reload.js";
import { type ServiceLookup, Tokens } from "./tokens.js";

/** How long stopping waits for cancelled checks to wind down before it closes the database anyway. */
export const STOP_GRACE_MS = 5_000;

export { StartupRefused } from "@autostun/runtime";

export interface Daemon {
  url: string;
  /** The token every API request must carry: api.token, or the one in `tokenFile`. */
  token: string;
  /** `<dataDir>/api-token` when the token came from there; undefined when api.token is configured. */
  tokenFile: string | undefined;
  /** The daemon's services; sealed: it resolves, nothing is registered in it after the start. */
  container: DaemonServices;
  engine: CheckEngine;
  /** The daemon's services by token, as GraphQL resolvers see them. */
  services: ServiceLookup;
  /** Re-reads the config and applies what changed, as SIGHUP does; see ConfigReloader. */
  reload(): Promise<ReloadResult>;
  /** Cancels every running check, waits at most {@link STOP_GRACE_MS} for them, then closes everything. */
  stop(): Promise<void>;
}

export interface DaemonOptions {
  /** Where news the user must see even with logs off goes, one line each; the CLI writes it to stderr. */
  notice?: (line: string) => void;
  /**
   * How to read the config again for SIGHUP and `Mutation.reloadConfig` (the CLI re-reads the same file,
   * environment and flags). Without it a reload is refused, and SIGHUP is left alone.
   */
  reload?: { load: () => AutostunConfig; file?: string };
  /**
   * Whether the diagnosis runs again by itself when the host's addresses change (default true). Test
   * daemons turn it off: other tests on the machine add and remove interfaces all the time.
   */
  followNetwork?: boolean;
}

/** Opens the database before anything else starts, so a bad dataDir stops the daemon with one clear line. */
function openStore(config: AutostunConfig, logger: RootLogger, options: DaemonOptions): Db {
  try {
    const db = openDatabase(config.dataDir, {
      onMovedAside: ({ path, keptAs, reason }) => {
        logger.warn("the database was damaged: kept it aside and started a fresh one", {
          path,
          keptAs,
          reason,
        });
        options.notice?.(
          `warning: the database ${path} was damaged (${reason}); it is kept as ${keptAs} and a fresh one was made. Earlier check history is in the kept file.`,
        );
      },
      onNarrowed: (narrowed) =>
        logger.warn(
          "narrowed the data folder to 0700 and its files to 0600: other users could read them (an older version or umask 022 made them)",
          { narrowed },
        ),
    });
    writeGuard(db).attach(logger.child({ module: "database" }), {
      onProblem: (line) => options.notice?.(line),
    });
    return db;
  } catch (error) {
    if (error instanceof DataDirUnusable) throw new StartupRefused(error.message);
    throw error;
  }
}

/** A write that failed while starting (a full disk after the probe, for one) is one line and exit 2. */
function refuseStorageFailure(error: unknown, config: AutostunConfig): never {
  if (isSqliteFailure(error))
    throw new StartupRefused(
      `cannot write the database in ${config.dataDir}: ${describeStorageFailure(error, config.dataDir)}, or point dataDir elsewhere.`,
    );
  throw error;
}

/**
 * The API token: api.token when configured, else the one kept in `<dataDir>/api-token` (made on first
 * start, 0600). The token itself never reaches the log.
 */
function apiToken(config: AutostunConfig, logger: RootLogger): { token: string; file: string | undefined } {
  if (config.api.token) return { token: config.api.token, file: undefined };
  let kept: ReturnType<typeof ensureApiTokenFile>;
  try {
    kept = ensureApiTokenFile(config.dataDir);
  } catch (error) {
    throw new StartupRefused((error as Error).message);
  }
  if (kept.created) logger.info("made a new API token; it is kept in this file", { file: kept.file });
  if (kept.tightened)
    logger.warn(
      "the API token file was readable by other users; narrowed it to 0600 (change the token if others may have read it: delete the file and restart)",
      { file: kept.file },
    );
  return { token: kept.token, file: kept.file };
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
  const database = openStore(config, logger, options);
  const api = apiToken(config, logger);
  const container = buildContainer(
    {
      config,
      logger,
      database,
      api,
      ...(options.reload ? { reload: options.reload } : {}),
      ...(options.followNetwork === undefined ? {} : { followNetwork: options.followNetwork }),
    },
    overrides,
  );
  const get = container.get;
  const lifecycle = get(Tokens.Lifecycle);
  const bus = get(Tokens.Bus);
  const host = get(Tokens.ExtensionHost);
  const engine = get(Tokens.CheckEngine);
  const relay = get(Tokens.Relay);
  const http = get(Tokens.Api);
  const reloader = get(Tokens.Reloader);

  // Start order is the architecture's start flow; stop runs it backwards, each step under a time limit.
  lifecycle.add({
    name: "database",
    stop: () => {
      writeGuard(database).dispose();
      database.close();
    },
  });
  lifecycle.add({ name: "extensions", start: () => host.activateStartup(), stop: () => host.dispose() });
  lifecycle.add({
    name: "checks",
    stop: () => stopChecks(engine, get(Tokens.CheckStore), logger),
    // Longer than the grace the step gives running checks, so the grace decides, not this limit.
    stopTimeoutMs: STOP_GRACE_MS + 1_000,
  });
  lifecycle.add(get(Tokens.DiagnosisSchedule));
  // Out of descriptors, the daemon says so once a minute and keeps serving (see descriptor-exhaustion.ts).
  const exhaustion = new ExhaustionReporter(logger);
  lifecycle.add(exhaustionSafetyNet(exhaustion));
  let network: Disposable | undefined;
  lifecycle.add({
    name: "network watch",
    start: () => {
      network = watchNetwork(bus, (error) => {
        if (!exhaustion.report("reading the network interfaces", error))
          logger.warn("cannot read the network interfaces; trying again at the next poll", {
            error: String(error),
          });
      });
    },
    stop: () => network?.dispose(),
  });
  lifecycle.add({
    name: "tunnels",
    start: () => relay.start(),
    stop: () => relay.stop(),
    stopTimeoutMs: 10_000,
  });
  lifecycle.add({
    name: "http",
    start: async () => {
      try {
        await http.start();
      } catch (error) {
        throw new StartupRefused(`cannot listen on ${config.api.listen}: ${listenProblem(error)}`);
      }
      // A tunnel must never forward to the API; with port 0 only the bound port says which one that is.
      relay.noteApiPort(Number(new URL(http.url).port), config.api.listen);
    },
    stop: () => http.stop(),
  });
  if (options.reload) lifecycle.add(reloadOnHangup(reloader, logger));

  await lifecycle.start().catch((error: unknown) => refuseStorageFailure(error, config));
  const url = http.url;
  logger.info("AutoSTUN is serving", { url });
  let stopping: Promise<void> | undefined;
  return {
    url,
    token: api.token,
    tokenFile: api.file,
    container,
    engine,
    services: container,
    reload: () => reloader.reload("api"),
    stop() {
      stopping ??= lifecycle.stop().then(() => logger.info("AutoSTUN stopped"));
      return stopping;
    },
  };
}

/** Cancels every run, gives the checks a bounded time to wind down, then refuses further writes. */
async function stopChecks(engine: CheckEngine, store: CheckStore, logger: RootLogger): Promise<void> {
  engine.cancelAll();
  const settled = (await withDeadline(() => engine.idle(), STOP_GRACE_MS)) !== TIMED_OUT;
  if (!settled)
    logger.warn(
      "checks were still winding down when the grace period ended; stopping without their results",
      { graceMs: STOP_GRACE_MS },
    );
  store.close();
}

/** SIGHUP re-reads the config, as service managers' `reload` sends it; only while the daemon runs. */
function reloadOnHangup(reloader: ConfigReloader, logger: RootLogger): LifecycleStep {
  const onHangup = () => {
    logger.info("SIGHUP: reloading the configuration");
    reloader.reload("SIGHUP").catch((error: unknown) => {
      logger.error("configuration reload failed", { error: String(error) });
    });
  };
  return {
    name: "reload on SIGHUP",
    start: () => void process.on("SIGHUP", onHangup),
    stop: () => void process.off("SIGHUP", onHangup),
  };
}
