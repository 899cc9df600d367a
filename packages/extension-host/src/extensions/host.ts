import { pathToFileURL } from "node:url";
import {
  API_VERSION,
  type CheckImplementation,
  type Disposable,
  type DownloaderFactory,
  type ExtensionContext,
  type ExtensionModule,
  type Gatherer,
  type LocalizedText,
  type Logger,
  localize,
  type ServiceAccessor,
  Services,
  type ServiceToken,
  toDisposable,
} from "@autostun/plugins-api";
import { errorText } from "@autostun/runtime";
import type { CheckContributions } from "../checks/check-contributions.js";
import type { CheckDescriptor } from "../checks/model.js";
import type { DownloaderContributions } from "../downloaders/downloader-contributions.js";
import { downloaderText } from "../downloaders/messages.js";
import { type IsolationLimits, PluginProcess } from "../plugin-process/plugin-process.js";
import {
  type ActivateParams,
  type ActivateResult,
  DATA_SERVICES,
  type RegisterParams,
} from "../plugin-process/protocol.js";
import { restartDelay } from "../plugin-process/restart-policy.js";
import type { ExtensionPointRegistry } from "./extension-points.js";
import { type DiscoveredExtension, listExtensionDirs, readExtension } from "./manifest.js";
import { hostText } from "./messages.js";

export type ExtensionState = "INACTIVE" | "ACTIVATING" | "ACTIVE" | "FAILED" | "INCOMPATIBLE";

export interface ExtensionRecord {
  info: DiscoveredExtension;
  state: ExtensionState;
  /** Why it is FAILED or INCOMPATIBLE, in English (logs, lists); checks show it in the user's language. */
  error?: string;
  checkIds: string[];
  /** True for third-party plugins: they run in a process of their own, never in the daemon's. */
  isolated: boolean;
  /** How often its process was started again after a crash. */
  restarts: number;
  /** The id of its running process, for isolated plugins. */
  pid?: number;
}

interface LiveExtension extends Omit<ExtensionRecord, "error"> {
  error?: LocalizedText;
  activation?: Promise<void>;
  /** Bumped on every load: registrations from an earlier load (or after a failure) are refused. */
  generation: number;
  /** In-process (built-in) extensions only. */
  context?: ExtensionContext;
  module?: ExtensionModule;
  /** Isolated extensions only. */
  process?: PluginProcess;
  /** Crashes since the process last ran long enough to count as stable. */
  crashes: number;
  restartTimer?: NodeJS.Timeout;
  /** What the host registered on the extension's behalf, by `check:<id>` / `gatherer:<id>`. */
  registrations: Map<string, Disposable>;
}

export interface ExtensionSource {
  dir: string;
  builtin: boolean;
}

/** How third-party plugins' processes are watched and restarted. Defaults suit a daemon; tests shorten them. */
export interface IsolationOptions extends Partial<IsolationLimits> {
  /** Wait before the first restart after a crash; doubles with each crash in a row. */
  restartDelayMs?: number;
  /** The longest wait between restarts. */
  maxRestartDelayMs?: number;
  /** Crashes in a row after which the plugin stays FAILED until the daemon restarts. */
  maxRestarts?: number;
  /** How long `deactivate()` may take when the daemon stops, before the process is killed. */
  deactivateTimeoutMs?: number;
}

export interface HostOptions {
  services: ServiceAccessor;
  /** The `contributes` keys features registered; plugins are read against them. */
  points: ExtensionPointRegistry;
  /** The engine's side of `contributes.checks`: which extension declared which check. */
  checks: CheckContributions;
  /** The downloader feature's side of `contributes.downloaders`; absent where no feature takes downloaders. */
  downloaders?: DownloaderContributions;
  logger: (bindings: Record<string, string>) => Logger;
  pluginConfig: Readonly<Record<string, Record<string, unknown>>>;
  /** How long loading (`import()`) plus `activate()` may take before the extension is marked FAILED. */
  activationTimeoutMs?: number;
  isolation?: IsolationOptions;
}

/** A check that can run, or the reason it cannot (its extension broke, or was refused). */
export type ResolvedCheck = { implementation: CheckImplementation } | { error: LocalizedText };

/** A downloader kind's adapter factory, or why there is none (unknown kind, broken extension). */
export type ResolvedDownloader = { factory: DownloaderFactory } | { error: LocalizedText };

/** A process that ran this long before crashing was healthy; its crash count starts again. */
const STABLE_AFTER_MS = 60_000;

const ISOLATION_DEFAULTS: Required<IsolationOptions> = {
  heartbeatTimeoutMs: 10_000,
  memoryLimitMb: 512,
  restartDelayMs: 1_000,
  maxRestartDelayMs: 300_000,
  maxRestarts: 5,
  deactivateTimeoutMs: 5_000,
};

const noop: Disposable = { dispose() {} };

function joined(error: LocalizedText | undefined, conflict: LocalizedText): LocalizedText {
  return error === undefined ? conflict : hostText("conflicts.joined", { error, conflict });
}

/**
 * Reads every manifest before running plugin code, activates extensions on their activation events, and
 * keeps what they registered. Built-ins run in the daemon's process; every third-party plugin runs in a
 * process of its own (VS Code's extension host model), so its crash, hang or memory leak ends only that
 * process, which is reported and restarted with back-off. A plugin that fails only breaks its own checks.
 */
export class ExtensionHost {
  private readonly extensions = new Map<string, LiveExtension>();
  private readonly implementations = new Map<string, CheckImplementation>();
  private readonly gatherers = new Map<string, Gatherer>();
  private readonly isolation: Required<IsolationOptions>;
  private disposed = false;

  constructor(private readonly options: HostOptions) {
    this.isolation = { ...ISOLATION_DEFAULTS, ...options.isolation };
  }

  /** Reads manifests from each source folder: built-ins first, so their ids win a clash. */
  discover(sources: readonly ExtensionSource[]): void {
    for (const source of sources) {
      for (const dir of listExtensionDirs(source.dir))
        this.add(readExtension(dir, source.builtin, API_VERSION, this.options.points));
    }
  }

  private add(info: DiscoveredExtension): void {
    const earlier = this.extensions.get(info.id);
    if (earlier) {
      info = {
        ...info,
        contributions: new Map(),
        problem: hostText("manifest.duplicate", { id: info.id, dir: earlier.info.dir }),
      };
      info.id = `${info.id}@${info.dir}`;
    }
    for (const warning of info.warnings ?? []) this.options.logger({ extension: info.id }).warn(warning);
    const record: LiveExtension = {
      info,
      state: info.problem ? "INCOMPATIBLE" : "INACTIVE",
      checkIds: [],
      isolated: !info.builtin,
      restarts: 0,
      generation: 0,
      crashes: 0,
      registrations: new Map(),
    };
    if (info.problem) record.error = info.problem;
    this.extensions.set(info.id, record);
    const conflicts = this.options.points.deliver(
      {
        id: info.id,
        displayName: info.displayName,
        path: info.dir,
        builtin: info.builtin,
        localize: info.localize,
        ...(info.problem ? { problem: localize(info.problem) } : {}),
      },
      info.contributions,
    );
    for (const conflict of conflicts) record.error = joined(record.error, conflict);
    record.checkIds = this.options.checks.declaredBy(info.id);
  }

  /**
   * Forgets an extension that was uninstalled: it is stopped, and every feature takes back what it
   * contributed (its checks leave the list).
   */
  async removeExtension(id: string): Promise<void> {
    const ext = this.extensions.get(id);
    if (!ext) return;
    ext.generation += 1;
    clearTimeout(ext.restartTimer);
    if (ext.process) await ext.process.stop(this.isolation.deactivateTimeoutMs);
    else if (ext.state === "ACTIVE") await this.deactivateInProcess(ext, this.isolation.deactivateTimeoutMs);
    for (const registration of [...ext.registrations.values()]) await registration.dispose();
    this.extensions.delete(id);
    this.options.points.withdraw(id);
  }

  /** Activates every extension whose events include `onStartup` or `*`. */
  async activateStartup(): Promise<void> {
    const startup = [...this.extensions.values()].filter((ext) =>
      ext.info.manifest?.activationEvents?.some((event) => event === "*" || event === "onStartup"),
    );
    await Promise.all(startup.map((ext) => this.activate(ext)));
  }

  checks(): CheckDescriptor[] {
    return this.options.checks.list();
  }

  extensionList(): ExtensionRecord[] {
    return [...this.extensions.values()].map(
      ({ info, state, error, checkIds, isolated, restarts, process }) => ({
        info,
        state,
        checkIds,
        isolated,
        restarts,
        ...(error ? { error: localize(error) } : {}),
        ...(process?.alive && process.pid !== undefined ? { pid: process.pid } : {}),
      }),
    );
  }

  /** Activates the check's extension if needed (`onCheck:<id>`), then returns its implementation. */
  async resolveCheck(checkId: string): Promise<ResolvedCheck> {
    const descriptor = this.options.checks.get(checkId);
    if (!descriptor) return { error: hostText("check.unknown", { check: checkId }) };
    const ext = this.extensions.get(descriptor.extensionId);
    if (!ext) return { error: hostText("check.gone", { id: descriptor.extensionId }) };
    await this.activate(ext);
    const implementation = this.implementations.get(checkId);
    if (implementation) return { implementation };
    if (ext.error) return { error: ext.error };
    return { error: hostText("check.unregistered", { id: ext.info.id, check: checkId }) };
  }

  /** Activates the extension that declared `kind` if needed, then returns its adapter factory. */
  async resolveDownloader(kind: string): Promise<ResolvedDownloader> {
    const downloaders = this.options.downloaders;
    const entry = downloaders?.get(kind);
    if (!downloaders || !entry)
      return { error: downloaders?.unknown(kind) ?? downloaderText("kind.unknown", { kind, known: "-" }) };
    const ext = this.extensions.get(entry.extensionId);
    if (!ext) return { error: hostText("check.gone", { id: entry.extensionId }) };
    await this.activate(ext);
    if (entry.factory) return { factory: entry.factory };
    if (ext.error) return { error: downloaderText("kind.broken", { kind, reason: ext.error }) };
    return { error: downloaderText("kind.unregistered", { id: ext.info.id, kind }) };
  }

  gatherer(id: string): Gatherer | undefined {
    return this.gatherers.get(id);
  }

  /** Activates every extension whose checks could be asked for gatherers. */
  async activateAll(): Promise<void> {
    await Promise.all([...this.extensions.values()].map((ext) => this.activate(ext)));
  }

  private activate(ext: LiveExtension): Promise<void> {
    if (this.disposed || ext.state === "INCOMPATIBLE" || ext.state === "FAILED") return Promise.resolve();
    ext.activation ??= this.load(ext);
    return ext.activation;
  }

  private async load(ext: LiveExtension): Promise<void> {
    ext.state = "ACTIVATING";
    const generation = ++ext.generation;
    const logger = this.options.logger({ extension: ext.info.id });
    const limit = this.options.activationTimeoutMs ?? 10_000;
    // The clock starts before import(): a module whose top-level await never settles is caught too.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), limit);
    });
    const attempt = ext.isolated ? this.loadIsolated(ext, generation) : this.loadInProcess(ext, generation);
    const outcome = await Promise.race([attempt, timeout]).finally(() => clearTimeout(timer));
    if (ext.generation !== generation || this.disposed) return;
    if (outcome !== "timeout" && outcome.ok) {
      ext.state = "ACTIVE";
      delete ext.error;
      return;
    }
    const reason: LocalizedText =
      outcome === "timeout" ? hostText("activation.timeout", { ms: limit }) : outcome.message;
    const phase = outcome === "timeout" ? "activate" : outcome.phase;
    const crashed = ext.process !== undefined && !ext.process.alive && outcome !== "timeout";
    ext.process?.kill(hostText("process.stopped-after-failure", { id: ext.info.id }));
    await this.fail(ext, hostText(`failed.${phase}`, { id: ext.info.id, reason }), logger);
    // A process that died by itself may do better next time; a plugin that threw or hung will not.
    if (crashed) this.scheduleRestart(ext, 0);
  }

  private async loadInProcess(ext: LiveExtension, generation: number): Promise<ActivateResult> {
    let module: Partial<ExtensionModule>;
    try {
      module = (await import(pathToFileURL(ext.info.mainPath as string).href)) as Partial<ExtensionModule>;
    } catch (error) {
      return { ok: false, phase: "load", message: errorText(error) };
    }
    if (typeof module.activate !== "function")
      return { ok: false, phase: "load", message: hostText("main.no-activate") };
    ext.module = module as ExtensionModule;
    ext.context = this.createContext(ext, generation);
    try {
      await ext.module.activate(ext.context);
      return { ok: true };
    } catch (error) {
      return { ok: false, phase: "activate", message: errorText(error) };
    }
  }

  private async loadIsolated(ext: LiveExtension, generation: number): Promise<ActivateResult> {
    const logger = this.options.logger({ extension: ext.info.id });
    const process: PluginProcess = new PluginProcess({
      extensionId: ext.info.id,
      logger,
      services: this.options.services,
      limits: this.isolation,
      onRegister: (registration) => this.registerFromProcess(ext, generation, process, registration),
      onUnregister: ({ kind, id }) => {
        if (ext.generation === generation) this.unregister(ext, `${kind}:${id}`);
      },
      onDeath: (cause) => void this.crashed(ext, generation, process, cause),
    });
    ext.process = process;
    const data: ActivateParams["data"] = {};
    for (const name of DATA_SERVICES) {
      try {
        data[name] = this.options.services.get<unknown>(Services[name] as ServiceToken<unknown>);
      } catch {
        // Not offered here: the plugin's services.get() says so when asked.
      }
    }
    try {
      return await process.activate({
        mainPath: ext.info.mainPath as string,
        extensionId: ext.info.id,
        extensionPath: ext.info.dir,
        manifest: ext.info.manifest as NonNullable<DiscoveredExtension["manifest"]>,
        config: { ...(this.options.pluginConfig[ext.info.id] ?? {}) },
        apiVersion: API_VERSION,
        data,
      });
    } catch (error) {
      return { ok: false, phase: "activate", message: errorText(error) };
    }
  }

  /** Why a registration from this extension is refused now, or undefined when it is welcome. */
  private refusal(ext: LiveExtension, generation: number): string | undefined {
    if (this.disposed) return "the daemon is stopping";
    if (ext.generation !== generation) return "it comes from an earlier start of the plugin";
    if (ext.state === "FAILED")
      return `the plugin is FAILED (${ext.error ? localize(ext.error) : "no reason recorded"})`;
    if (ext.state !== "ACTIVATING" && ext.state !== "ACTIVE") return `the plugin is ${ext.state}`;
    return undefined;
  }

  private refuse(ext: LiveExtension, kind: string, id: string, reason: string): Disposable {
    this.options
      .logger({ extension: ext.info.id })
      .error(`refused to register ${kind} ${id}: ${reason}`, { kind, id, reason });
    return noop;
  }

  private register(ext: LiveExtension, key: string, add: () => () => void): Disposable {
    this.unregister(ext, key);
    const registration = toDisposable(() => {
      if (ext.registrations.get(key) === registration) ext.registrations.delete(key);
      remove();
    });
    const remove = add();
    ext.registrations.set(key, registration);
    return registration;
  }

  private unregister(ext: LiveExtension, key: string): void {
    void ext.registrations.get(key)?.dispose();
  }

  private addCheck(ext: LiveExtension, id: string, implementation: CheckImplementation): Disposable {
    return this.register(ext, `check:${id}`, () => {
      this.implementations.set(id, implementation);
      return () => {
        if (this.implementations.get(id) === implementation) this.implementations.delete(id);
      };
    });
  }

  private addGatherer(ext: LiveExtension, id: string, gatherer: Gatherer): Disposable {
    return this.register(ext, `gatherer:${id}`, () => {
      this.gatherers.set(id, gatherer);
      return () => {
        if (this.gatherers.get(id) === gatherer) this.gatherers.delete(id);
      };
    });
  }

  private addDownloader(ext: LiveExtension, kind: string, factory: DownloaderFactory): Disposable {
    const downloaders = this.options.downloaders as DownloaderContributions;
    return this.register(ext, `downloader:${kind}`, () => downloaders.provide(kind, ext.info.id, factory));
  }

  /** Why `kind` is not this extension's to provide, or undefined when its manifest declares it. */
  private undeclaredDownloader(ext: LiveExtension, kind: string): string | undefined {
    if (!this.options.downloaders) return "this AutoSTUN takes no downloader adapters";
    if (this.options.downloaders.get(kind)?.extensionId === ext.info.id) return undefined;
    return `downloader ${kind} is not declared in contributes.downloaders of ${ext.info.id}'s manifest`;
  }

  private registerFromProcess(
    ext: LiveExtension,
    generation: number,
    process: PluginProcess,
    { kind, id, hasRemedy }: RegisterParams,
  ): void {
    const name = String(id);
    const refused = this.refusal(ext, generation);
    if (refused) {
      this.refuse(ext, kind, name, refused);
      return;
    }
    if (kind === "downloader") {
      const undeclared = this.undeclaredDownloader(ext, name);
      if (undeclared) this.refuse(ext, "downloader", name, undeclared);
      else this.addDownloader(ext, name, process.downloaderFactory(name));
      return;
    }
    if (kind === "check") {
      const descriptor = this.options.checks.get(name);
      if (descriptor?.extensionId !== ext.info.id) {
        this.refuse(
          ext,
          "check",
          name,
          `it is not declared in contributes.checks of ${ext.info.id}'s manifest`,
        );
        return;
      }
      this.addCheck(ext, name, process.checkProxy(name, descriptor.dependsOn, hasRemedy === true));
    } else if (kind === "gatherer") {
      const owner = this.gatherers.get(name);
      if (owner && !ext.registrations.has(`gatherer:${name}`)) {
        this.refuse(ext, "gatherer", name, `a gatherer named ${name} is already registered`);
        return;
      }
      this.addGatherer(ext, name, process.gathererProxy(name));
    }
  }

  private createContext(ext: LiveExtension, generation: number): ExtensionContext {
    const declared = new Set(this.options.checks.declaredBy(ext.info.id));
    const subscriptions: Disposable[] = [];
    return {
      extensionId: ext.info.id,
      extensionPath: ext.info.dir,
      manifest: ext.info.manifest as NonNullable<DiscoveredExtension["manifest"]>,
      subscriptions,
      logger: this.options.logger({ extension: ext.info.id }),
      config: this.options.pluginConfig[ext.info.id] ?? {},
      services: this.options.services,
      apiVersion: API_VERSION,
      registerCheck: (id, implementation) => {
        if (!declared.has(id)) {
          throw new Error(`check ${id} is not declared in contributes.checks of ${ext.info.id}'s manifest`);
        }
        if (typeof implementation?.run !== "function")
          throw new Error(`check ${id} has no run(context) function`);
        // A late call from an activation that timed out must not bring a FAILED extension's check back.
        const refused = this.refusal(ext, generation);
        if (refused) return this.refuse(ext, "check", id, refused);
        return this.addCheck(ext, id, implementation);
      },
      registerGatherer: (id, gatherer) => {
        const refused = this.refusal(ext, generation);
        if (refused) return this.refuse(ext, "gatherer", id, refused);
        if (this.gatherers.has(id)) throw new Error(`a gatherer named ${id} is already registered`);
        return this.addGatherer(ext, id, gatherer as Gatherer);
      },
      registerDownloader: (kind, factory) => {
        const undeclared = this.undeclaredDownloader(ext, kind);
        if (undeclared) throw new Error(undeclared);
        if (typeof factory !== "function")
          throw new Error(`downloader ${kind} needs a factory function (settings, context) => adapter`);
        const refused = this.refusal(ext, generation);
        if (refused) return this.refuse(ext, "downloader", kind, refused);
        return this.addDownloader(ext, kind, factory);
      },
    };
  }

  /** FAILED with `error`: what it registered is withdrawn, so its checks report the error instead. */
  private async fail(ext: LiveExtension, error: LocalizedText, logger: Logger): Promise<void> {
    ext.state = "FAILED";
    ext.error = error;
    logger.error("extension failed", { error: localize(error) });
    for (const registration of [...ext.registrations.values()]) await registration.dispose();
    await this.disposeSubscriptions(ext);
  }

  private async crashed(
    ext: LiveExtension,
    generation: number,
    process: PluginProcess,
    cause: LocalizedText,
  ) {
    // A death while activating is reported by load(), which knows the phase.
    if (ext.generation !== generation || ext.state !== "ACTIVE" || this.disposed) return;
    await this.fail(
      ext,
      hostText("process.crashed", { id: ext.info.id, cause }),
      this.options.logger({ extension: ext.info.id }),
    );
    this.scheduleRestart(ext, process.uptimeMs);
  }

  /** Starts a crashed plugin's process again after a wait that doubles with each crash in a row. */
  private scheduleRestart(ext: LiveExtension, uptimeMs: number): void {
    if (this.disposed) return;
    if (uptimeMs >= STABLE_AFTER_MS) ext.crashes = 0;
    ext.crashes += 1;
    const logger = this.options.logger({ extension: ext.info.id });
    if (ext.crashes > this.isolation.maxRestarts) {
      ext.error = hostText("restart.gave-up", { error: ext.error ?? "", crashes: ext.crashes });
      logger.error("plugin not restarted", { crashes: ext.crashes });
      return;
    }
    const delay = restartDelay(ext.crashes, this.isolation.restartDelayMs, this.isolation.maxRestartDelayMs);
    ext.error = hostText("restart.scheduled", {
      error: ext.error ?? "",
      ms: delay,
      crashes: ext.crashes,
      max: this.isolation.maxRestarts,
    });
    logger.warn("restarting plugin", { delayMs: delay, crashes: ext.crashes });
    clearTimeout(ext.restartTimer);
    ext.restartTimer = setTimeout(() => {
      ext.restartTimer = undefined;
      if (this.disposed) return;
      ext.restarts += 1;
      ext.activation = this.load(ext);
    }, delay);
    ext.restartTimer.unref();
  }

  private async disposeSubscriptions(ext: LiveExtension): Promise<void> {
    const subscriptions = ext.context?.subscriptions ?? [];
    for (const subscription of subscriptions.splice(0).reverse()) {
      try {
        await subscription.dispose();
      } catch (error) {
        this.options.logger({ extension: ext.info.id }).warn("dispose failed", { error: String(error) });
      }
    }
  }

  /**
   * Deactivates every extension and disposes what it registered, newest first. `deactivate()` is raced
   * against a time limit, as VS Code does; a plugin's process is killed once it is over, answered or not.
   */
  async dispose(): Promise<void> {
    this.disposed = true;
    const limit = this.isolation.deactivateTimeoutMs;
    const stopping: Promise<void>[] = [];
    for (const ext of [...this.extensions.values()].reverse()) {
      clearTimeout(ext.restartTimer);
      if (ext.process) stopping.push(ext.process.stop(limit));
      else if (ext.state === "ACTIVE") await this.deactivateInProcess(ext, limit);
      for (const registration of [...ext.registrations.values()]) await registration.dispose();
      if (ext.state === "ACTIVE" || ext.state === "ACTIVATING") ext.state = "INACTIVE";
      ext.activation = undefined;
      ext.generation += 1;
    }
    await Promise.all(stopping);
  }

  private async deactivateInProcess(ext: LiveExtension, limit: number): Promise<void> {
    const logger = this.options.logger({ extension: ext.info.id });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`deactivate() did not finish within ${limit} ms`)), limit);
    });
    try {
      await Promise.race([Promise.resolve().then(() => ext.module?.deactivate?.()), deadline]);
    } catch (error) {
      logger.warn("deactivate failed", { error: localize(errorText(error)) });
    } finally {
      clearTimeout(timer);
    }
    await this.disposeSubscriptions(ext);
  }
}
