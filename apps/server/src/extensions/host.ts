import { pathToFileURL } from "node:url";
import {
  API_VERSION,
  type CheckImplementation,
  type Disposable,
  type ExtensionContext,
  type ExtensionModule,
  type Gatherer,
  type Logger,
  type ServiceAccessor,
  toDisposable,
} from "@autostun/plugins-api";
import type { CheckDescriptor } from "../engine/model.js";
import {
  contributedTimeout,
  type DiscoveredExtension,
  listExtensionDirs,
  readExtension,
} from "./manifest.js";

export type ExtensionState = "INACTIVE" | "ACTIVATING" | "ACTIVE" | "FAILED" | "INCOMPATIBLE";

export interface ExtensionRecord {
  info: DiscoveredExtension;
  state: ExtensionState;
  error?: string;
  checkIds: string[];
}

interface LiveExtension extends ExtensionRecord {
  activation?: Promise<void>;
  context?: ExtensionContext;
  module?: ExtensionModule;
}

export interface ExtensionSource {
  dir: string;
  builtin: boolean;
}

export interface HostOptions {
  services: ServiceAccessor;
  logger: (bindings: Record<string, string>) => Logger;
  pluginConfig: Readonly<Record<string, Record<string, unknown>>>;
  /** How long `activate()` may take before the extension is marked FAILED. */
  activationTimeoutMs?: number;
}

/** A check that can run, or the reason it cannot (its extension broke, or was refused). */
export type ResolvedCheck = { implementation: CheckImplementation } | { error: string };

/**
 * Reads every manifest before running plugin code, activates extensions on their activation events, and
 * keeps what they registered. A plugin that fails to load or activate only breaks its own checks.
 */
export class ExtensionHost {
  private readonly extensions = new Map<string, LiveExtension>();
  private readonly descriptors = new Map<string, CheckDescriptor>();
  private readonly implementations = new Map<string, CheckImplementation>();
  private readonly gatherers = new Map<string, Gatherer>();

  constructor(private readonly options: HostOptions) {}

  /** Reads manifests from each source folder: built-ins first, so their ids win a clash. */
  discover(sources: readonly ExtensionSource[]): void {
    for (const source of sources) {
      for (const dir of listExtensionDirs(source.dir))
        this.add(readExtension(dir, source.builtin, API_VERSION));
    }
  }

  private add(info: DiscoveredExtension): void {
    if (this.extensions.has(info.id)) {
      info = {
        ...info,
        problem: `another extension named ${info.id} is already loaded from ${this.extensions.get(info.id)?.info.dir}`,
      };
      info.id = `${info.id}@${info.dir}`;
    }
    for (const warning of info.warnings ?? []) this.options.logger({ extension: info.id }).warn(warning);
    const record: LiveExtension = { info, state: info.problem ? "INCOMPATIBLE" : "INACTIVE", checkIds: [] };
    if (info.problem) record.error = info.problem;
    this.extensions.set(info.id, record);
    const contributions = info.manifest?.contributes?.checks ?? [];
    if (!info.manifest) {
      // Without a manifest there are no declared checks; a synthetic one makes the failure visible.
      contributions.push({
        id: `plugin.${info.id.replace(/[^a-z0-9-]/gi, "-").toLowerCase()}`,
        title: `Plugin ${info.id}`,
        category: "plugins",
      });
    }
    for (const check of contributions) {
      const owner = this.descriptors.get(check.id);
      if (owner) {
        record.error = `${record.error ? `${record.error}; ` : ""}check ${check.id} is already provided by ${owner.extensionId}`;
        continue;
      }
      record.checkIds.push(check.id);
      this.descriptors.set(check.id, {
        id: check.id,
        title: info.localize(check.title),
        category: check.category,
        dependsOn: check.dependsOn ?? [],
        ...(check.platforms ? { platforms: check.platforms } : {}),
        timeoutMs: contributedTimeout(check.timeoutMs),
        extensionId: info.id,
      });
    }
  }

  /** Activates every extension whose events include `onStartup` or `*`. */
  async activateStartup(): Promise<void> {
    const startup = [...this.extensions.values()].filter((ext) =>
      ext.info.manifest?.activationEvents?.some((event) => event === "*" || event === "onStartup"),
    );
    await Promise.all(startup.map((ext) => this.activate(ext)));
  }

  checks(): CheckDescriptor[] {
    return [...this.descriptors.values()];
  }

  extensionList(): ExtensionRecord[] {
    return [...this.extensions.values()].map(({ info, state, error, checkIds }) => ({
      info,
      state,
      checkIds,
      ...(error ? { error } : {}),
    }));
  }

  /** Activates the check's extension if needed (`onCheck:<id>`), then returns its implementation. */
  async resolveCheck(checkId: string): Promise<ResolvedCheck> {
    const descriptor = this.descriptors.get(checkId);
    if (!descriptor) return { error: `no extension declares a check named ${checkId}` };
    const ext = this.extensions.get(descriptor.extensionId);
    if (!ext) return { error: `extension ${descriptor.extensionId} is gone` };
    await this.activate(ext);
    const implementation = this.implementations.get(checkId);
    if (implementation) return { implementation };
    if (ext.error) return { error: ext.error };
    return { error: `plugin ${ext.info.id} activated but registered no implementation for ${checkId}` };
  }

  gatherer(id: string): Gatherer | undefined {
    return this.gatherers.get(id);
  }

  /** Activates every extension whose checks could be asked for gatherers. */
  async activateAll(): Promise<void> {
    await Promise.all([...this.extensions.values()].map((ext) => this.activate(ext)));
  }

  private activate(ext: LiveExtension): Promise<void> {
    if (ext.state === "INCOMPATIBLE" || ext.state === "FAILED") return Promise.resolve();
    ext.activation ??= this.load(ext);
    return ext.activation;
  }

  private async load(ext: LiveExtension): Promise<void> {
    ext.state = "ACTIVATING";
    const logger = this.options.logger({ extension: ext.info.id });
    const limit = this.options.activationTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const module = (await import(
        pathToFileURL(ext.info.mainPath as string).href
      )) as Partial<ExtensionModule>;
      if (typeof module.activate !== "function")
        throw new Error("its main module exports no activate(context) function");
      ext.module = module as ExtensionModule;
      ext.context = this.createContext(ext, logger);
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`activate() did not finish within ${limit} ms`)), limit);
      });
      await Promise.race([Promise.resolve(ext.module.activate(ext.context)), timeout]);
      ext.state = "ACTIVE";
    } catch (error) {
      ext.state = "FAILED";
      const reason = error instanceof Error ? error.message : String(error);
      ext.error = `plugin ${ext.info.id} failed to ${ext.module ? "activate" : "load"}: ${reason}`;
      logger.error("extension failed", { error: reason });
      await this.disposeSubscriptions(ext);
    } finally {
      clearTimeout(timer);
    }
  }

  private createContext(ext: LiveExtension, logger: Logger): ExtensionContext {
    const declared = new Set(ext.checkIds);
    const subscriptions: Disposable[] = [];
    return {
      extensionId: ext.info.id,
      extensionPath: ext.info.dir,
      manifest: ext.info.manifest as NonNullable<DiscoveredExtension["manifest"]>,
      subscriptions,
      logger,
      config: this.options.pluginConfig[ext.info.id] ?? {},
      services: this.options.services,
      apiVersion: API_VERSION,
      registerCheck: (id, implementation) => {
        if (!declared.has(id)) {
          throw new Error(`check ${id} is not declared in contributes.checks of ${ext.info.id}'s manifest`);
        }
        if (typeof implementation?.run !== "function")
          throw new Error(`check ${id} has no run(context) function`);
        this.implementations.set(id, implementation);
        return toDisposable(() => {
          if (this.implementations.get(id) === implementation) this.implementations.delete(id);
        });
      },
      registerGatherer: (id, gatherer) => {
        if (this.gatherers.has(id)) throw new Error(`a gatherer named ${id} is already registered`);
        this.gatherers.set(id, gatherer as Gatherer);
        return toDisposable(() => {
          if (this.gatherers.get(id) === gatherer) this.gatherers.delete(id);
        });
      },
    };
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

  /** Deactivates every active extension and disposes what it registered, newest first. */
  async dispose(): Promise<void> {
    for (const ext of [...this.extensions.values()].reverse()) {
      if (ext.state !== "ACTIVE") continue;
      try {
        await ext.module?.deactivate?.();
      } catch (error) {
        this.options.logger({ extension: ext.info.id }).warn("deactivate failed", { error: String(error) });
      }
      await this.disposeSubscriptions(ext);
      ext.state = "INACTIVE";
      ext.activation = undefined;
    }
  }
}
