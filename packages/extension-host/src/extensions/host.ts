import { pathToFileURL } from "node:url";
import {
  API_VERSION,
  type CheckImplementation,
  type Disposable,
  type DownloaderFactory,
  type ExtensionContext,
  type ExtensionManifest,
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
import { ABORTED, errorText, TIMED_OUT, withDeadline } from "@autostun/runtime";
import type { CheckContributions } from "../contributions/check-contributions.js";
import {
  CONTRIBUTION_KINDS,
  type ContributionKind,
  type ContributionTarget,
  type KindRules,
  misuse,
} from "../contributions/contribution-kinds.js";
import type { DownloaderContributions } from "../contributions/downloader-contributions.js";
import { downloaderText } from "../contributions/downloader-messages.js";
import type { ExtensionPointRegistry } from "../contributions/extension-points.js";
import { type DiscoveredExtension, listExtensionDirs, readExtension } from "../contributions/manifest.js";
import { hostText } from "../contributions/messages.js";
import type { CheckDescriptor } from "../contributions/model.js";
import { type IsolationLimits, PluginProcess } from "../plugin-process/plugin-process.js";
import {
  type ActivateParams,
  type ActivateResult,
  DATA_SERVICES,
  type RegisterParams,
} from "../plugin-process/protocol.js";
import { restartDelay } from "../plugin-process/restart-policy.js";

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

/** A gatherer that can run, or why there is none (nobody declared or registered it, its plugin broke). */
export type ResolvedGatherer = { gatherer: Gatherer } | { error: LocalizedText };

/**
 * What became of one registration: taken, or refused with the reason. `misuse` marks a mistake in the
 * plugin's own code (an undeclared id, a value that is not what the kind needs): the plugin's call throws it.
 */
type Registration = { taken: Disposable } | { refused: string; misuse: boolean };

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

/** The module and manifest of an extension that can be loaded. */
interface MainModule {
  mainPath: string;
  manifest: ExtensionManifest;
}

function isExtensionModule(value: unknown): value is ExtensionModule {
  return typeof value === "object" && value !== null && typeof Reflect.get(value, "activate") === "function";
}

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
  /** Where the contribution kinds put what plugins registered. */
  private readonly target: ContributionTarget;
  private disposed = false;

  constructor(private readonly options: HostOptions) {
    this.isolation = { ...ISOLATION_DEFAULTS, ...options.isolation };
    const { checks, downloaders } = options;
    this.target = {
      checks: this.implementations,
      gatherers: this.gatherers,
      declarations: {
        checks: (id) => checks.get(id)?.extensionId,
        gatherers: (id) => checks.gatherers.owner(id),
        ...(downloaders ? { downloaders: (kind: string) => downloaders.get(kind)?.extensionId } : {}),
      },
      ...(downloaders
        ? {
            provideDownloader: (kind, extensionId, factory) =>
              downloaders.provide(kind, extensionId, factory),
          }
        : {}),
    };
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

  /** The gatherer registered under `id` now, without starting anything. */
  gatherer(id: string): Gatherer | undefined {
    return this.gatherers.get(id);
  }

  /**
   * The gatherer a check asked for: one already registered, or the one the plugin that declares it in
   * `contributes.gatherers` registers once activated (`onGatherer:<id>`). No other plugin is started.
   */
  async resolveGatherer(id: string): Promise<ResolvedGatherer> {
    const registered = this.gatherers.get(id);
    if (registered) return { gatherer: registered };
    const owner = this.options.checks.gatherers.owner(id);
    const ext = owner === undefined ? undefined : this.extensions.get(owner);
    if (!ext) return { error: hostText("gatherer.undeclared", { gatherer: id }) };
    await this.activate(ext);
    const gatherer = this.gatherers.get(id);
    if (gatherer) return { gatherer };
    if (ext.error) return { error: ext.error };
    return { error: hostText("gatherer.unregistered", { id: ext.info.id, gatherer: id }) };
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
    const { mainPath, manifest } = ext.info;
    // The clock starts before import(): a module whose top-level await never settles is caught too.
    const outcome = await withDeadline((): Promise<ActivateResult> => {
      // Only an extension whose manifest was read and whose main was found gets here (others are INCOMPATIBLE).
      if (mainPath === undefined || manifest === undefined)
        return Promise.resolve({ ok: false, phase: "load", message: hostText("main.no-activate") });
      const main = { mainPath, manifest };
      return ext.isolated
        ? this.loadIsolated(ext, generation, main)
        : this.loadInProcess(ext, generation, main);
    }, limit);
    if (ext.generation !== generation || this.disposed) return;
    if (outcome !== TIMED_OUT && outcome !== ABORTED && outcome.ok) {
      ext.state = "ACTIVE";
      delete ext.error;
      return;
    }
    const timedOut = outcome === TIMED_OUT || outcome === ABORTED;
    const reason: LocalizedText = timedOut ? hostText("activation.timeout", { ms: limit }) : outcome.message;
    const phase = timedOut ? "activate" : outcome.phase;
    const crashed = ext.process !== undefined && !ext.process.alive && !timedOut;
    ext.process?.kill(hostText("process.stopped-after-failure", { id: ext.info.id }));
    await this.fail(ext, hostText(`failed.${phase}`, { id: ext.info.id, reason }), logger);
    // A process that died by itself may do better next time; a plugin that threw or hung will not.
    if (crashed) this.scheduleRestart(ext, 0);
  }

  private async loadInProcess(
    ext: LiveExtension,
    generation: number,
    main: MainModule,
  ): Promise<ActivateResult> {
    let module: unknown;
    try {
      module = await import(pathToFileURL(main.mainPath).href);
    } catch (error) {
      return { ok: false, phase: "load", message: errorText(error) };
    }
    if (!isExtensionModule(module))
      return { ok: false, phase: "load", message: hostText("main.no-activate") };
    ext.module = module;
    ext.context = this.createContext(ext, generation, main.manifest);
    try {
      await module.activate(ext.context);
      return { ok: true };
    } catch (error) {
      return { ok: false, phase: "activate", message: errorText(error) };
    }
  }

  private async loadIsolated(
    ext: LiveExtension,
    generation: number,
    main: MainModule,
  ): Promise<ActivateResult> {
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
        const token: ServiceToken<unknown> = Services[name];
        data[name] = this.options.services.get(token);
      } catch {
        // Not offered here: the plugin's services.get() says so when asked.
      }
    }
    try {
      return await process.activate({
        mainPath: main.mainPath,
        extensionId: ext.info.id,
        extensionPath: ext.info.dir,
        manifest: main.manifest,
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

  /** Why `id` of `kind` is another plugin's, or undefined when this extension may provide it. */
  private claimedElsewhere(ext: LiveExtension, kind: KindRules, id: string): string | undefined {
    const declarations = this.target.declarations[kind.point];
    if (!declarations) return `no feature of this AutoSTUN takes contributes.${kind.point}`;
    const owner = declarations(id);
    if (owner !== undefined && owner !== ext.info.id) return `${kind.name} ${id} is provided by ${owner}`;
    if (owner === undefined) {
      // Undeclared (a kind that allows it): the first plugin to register the id keeps it.
      const key = `${kind.name}:${id}`;
      const holder = [...this.extensions.values()].find(
        (other) => other !== ext && other.registrations.has(key),
      );
      if (holder) return `a ${kind.name} named ${id} is already registered by ${holder.info.id}`;
    }
    return undefined;
  }

  /**
   * The one place a registration is judged and added, whether a built-in called its context or a plugin's
   * process sent it. `reported` is a problem the plugin's process found already (it judged the value by the
   * same table). Every refusal is logged here, one line per refusal, the same from both paths.
   */
  private register<V>(
    ext: LiveExtension,
    generation: number,
    kind: ContributionKind<V>,
    id: string,
    value: unknown,
    reported?: string,
  ): Registration {
    const logger = this.options.logger({ extension: ext.info.id });
    const refuse = (reason: string, isMisuse: boolean): Registration => {
      logger.error(`refused to register ${kind.name} ${id}: ${reason}`, { kind: kind.name, id, reason });
      return { refused: reason, misuse: isMisuse };
    };
    const problem = reported ?? misuse(kind, ext.info.id, ext.info.manifest, id, value);
    if (problem !== undefined || !kind.fits(value))
      return refuse(problem ?? `${kind.name} ${id} needs ${kind.expected}`, true);
    // A late call from an activation that timed out must not bring a FAILED extension's registration back.
    const late = this.refusal(ext, generation);
    if (late) return refuse(late, false);
    const claimed = this.claimedElsewhere(ext, kind, id);
    if (claimed) return refuse(claimed, false);
    if (this.target.declarations[kind.point]?.(id) === undefined)
      logger.warn(
        `${kind.name} ${id} is not declared in contributes.${kind.point} of ${ext.info.id}'s manifest; it works while the plugin runs, but a diagnosis cannot start the plugin to provide it`,
        { kind: kind.name, id },
      );
    const key = `${kind.name}:${id}`;
    this.unregister(ext, key);
    const undo = kind.add(this.target, ext.info.id, id, value);
    const registration = toDisposable(() => {
      if (ext.registrations.get(key) === registration) ext.registrations.delete(key);
      undo();
    });
    ext.registrations.set(key, registration);
    return { taken: registration };
  }

  private unregister(ext: LiveExtension, key: string): void {
    void ext.registrations.get(key)?.dispose();
  }

  /** A registration from a plugin's own process, which gets a stand-in that calls across the pipe. */
  private registerFromProcess(
    ext: LiveExtension,
    generation: number,
    process: PluginProcess,
    { kind, id, hasRemedy, problem }: RegisterParams,
  ): void {
    switch (kind) {
      case "check": {
        const dependsOn = this.options.checks.get(id)?.dependsOn ?? [];
        const proxy =
          problem === undefined ? process.checkProxy(id, dependsOn, hasRemedy === true) : undefined;
        this.register(ext, generation, CONTRIBUTION_KINDS.check, id, proxy, problem);
        return;
      }
      case "gatherer": {
        const proxy = problem === undefined ? process.gathererProxy(id) : undefined;
        this.register(ext, generation, CONTRIBUTION_KINDS.gatherer, id, proxy, problem);
        return;
      }
      case "downloader": {
        const factory = problem === undefined ? process.downloaderFactory(id) : undefined;
        this.register(ext, generation, CONTRIBUTION_KINDS.downloader, id, factory, problem);
        return;
      }
    }
  }

  /** A registration from a built-in's context: a mistake in its own code throws, as the plugin API says. */
  private registerInProcess<V>(
    ext: LiveExtension,
    generation: number,
    kind: ContributionKind<V>,
    id: string,
    value: unknown,
  ): Disposable {
    const outcome = this.register(ext, generation, kind, id, value);
    if ("taken" in outcome) return outcome.taken;
    if (outcome.misuse) throw new Error(outcome.refused);
    return noop;
  }

  private createContext(
    ext: LiveExtension,
    generation: number,
    manifest: ExtensionManifest,
  ): ExtensionContext {
    const subscriptions: Disposable[] = [];
    return {
      extensionId: ext.info.id,
      extensionPath: ext.info.dir,
      manifest,
      subscriptions,
      logger: this.options.logger({ extension: ext.info.id }),
      config: this.options.pluginConfig[ext.info.id] ?? {},
      services: this.options.services,
      apiVersion: API_VERSION,
      registerCheck: (id, implementation) =>
        this.registerInProcess(ext, generation, CONTRIBUTION_KINDS.check, id, implementation),
      registerGatherer: (id, gatherer) =>
        this.registerInProcess(ext, generation, CONTRIBUTION_KINDS.gatherer, id, gatherer),
      registerDownloader: (kind, factory) =>
        this.registerInProcess(ext, generation, CONTRIBUTION_KINDS.downloader, kind, factory),
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
    try {
      const outcome = await withDeadline(() => ext.module?.deactivate?.(), limit);
      if (outcome === TIMED_OUT)
        logger.warn("deactivate failed", { error: `deactivate() did not finish within ${limit} ms` });
    } catch (error) {
      logger.warn("deactivate failed", { error: localize(errorText(error)) });
    }
    await this.disposeSubscriptions(ext);
  }
}
