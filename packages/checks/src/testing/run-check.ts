import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type {
  CheckImplementation,
  CheckOutcome,
  CheckResult,
  ExtensionContext,
  ExtensionManifest,
  ExtensionModule,
  Gatherer,
  Logger,
  ServiceToken,
} from "@autostun/plugins-api";
import { API_VERSION, toDisposable } from "@autostun/plugins-api";
import { BUILTIN_EXTENSIONS_DIR } from "../index.js";

/** A logger that keeps lines for assertions instead of printing them. */
export function memoryLogger(lines: string[] = []): Logger {
  const log = (level: string) => (message: string) => void lines.push(`${level}: ${message}`);
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

export interface LoadedBuiltin {
  checks: Map<string, CheckImplementation>;
  gatherers: Map<string, Gatherer>;
  manifest: ExtensionManifest;
}

/**
 * Activates one built-in extension folder (e.g. `docker-network-mode`) with the given services, the way the
 * host would, so a check can be tested alone. Not a replacement for the host's own tests.
 */
export async function loadBuiltin(
  folder: string,
  services: ReadonlyMap<symbol, unknown>,
  config: Record<string, unknown> = {},
): Promise<LoadedBuiltin> {
  const dir = join(BUILTIN_EXTENSIONS_DIR, folder);
  const pkg = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as {
    name: string;
    main?: string;
    autostun: ExtensionManifest;
  };
  const mod = (await import(pathToFileURL(join(dir, pkg.main ?? "index.ts")).href)) as ExtensionModule;
  const checks = new Map<string, CheckImplementation>();
  const gatherers = new Map<string, Gatherer>();
  const context: ExtensionContext = {
    extensionId: pkg.name,
    extensionPath: dir,
    manifest: pkg.autostun,
    subscriptions: [],
    logger: memoryLogger(),
    config,
    apiVersion: API_VERSION,
    services: serviceAccessor(services),
    registerCheck(id, check) {
      checks.set(id, check);
      return toDisposable(() => void checks.delete(id));
    },
    registerGatherer(id, gatherer) {
      gatherers.set(id, gatherer as Gatherer);
      return toDisposable(() => void gatherers.delete(id));
    },
    registerDownloader(kind) {
      throw new Error(
        `a built-in check registered downloader "${kind}"; downloaders live in @autostun/downloaders`,
      );
    },
  };
  await mod.activate(context);
  return { checks, gatherers, manifest: pkg.autostun };
}

function serviceAccessor(services: ReadonlyMap<symbol, unknown>) {
  return {
    get<T>(token: ServiceToken<T>): T {
      if (!services.has(token)) throw new Error(`test gave no service for ${String(token)}`);
      return services.get(token) as T;
    },
  };
}

/** Runs one check of a loaded built-in with shared, memoised gatherers, as one diagnosis would. */
export async function runLoadedCheck(
  loaded: LoadedBuiltin,
  checkId: string,
  services: ReadonlyMap<symbol, unknown>,
  options: { dependencies?: Record<string, CheckOutcome>; signal?: AbortSignal } = {},
): Promise<CheckResult> {
  const check = loaded.checks.get(checkId);
  if (!check) throw new Error(`extension registered no check "${checkId}"`);
  const memo = new Map<string, Promise<unknown>>();
  const accessor = serviceAccessor(services);
  const signal = options.signal ?? new AbortController().signal;
  const gather = <T>(id: string): Promise<T> => {
    const gatherer = loaded.gatherers.get(id);
    if (!gatherer) return Promise.reject(new Error(`no gatherer "${id}"`));
    if (!memo.has(id))
      memo.set(id, gatherer.gather({ signal, logger: memoryLogger(), services: accessor, gather }));
    return memo.get(id) as Promise<T>;
  };
  return check.run({
    signal,
    logger: memoryLogger(),
    services: accessor,
    gather,
    dependency: (id) => options.dependencies?.[id],
  });
}
