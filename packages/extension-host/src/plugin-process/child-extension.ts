import { pathToFileURL } from "node:url";
import {
  type CheckImplementation,
  type CheckOutcome,
  type Disposable,
  type DownloaderAdapter,
  type DownloaderFactory,
  type ExtensionContext,
  type ExtensionModule,
  type Gatherer,
  isDownloaderError,
  type LocalizedText,
  type Logger,
  type ServiceAccessor,
  toDisposable,
} from "@autostun/plugins-api";
import { resultProblem } from "../checks/validate-result.js";
import { hostText } from "../extensions/messages.js";
import { createServiceAccessor } from "./child-services.js";
import {
  type ActivateParams,
  type ActivateResult,
  type ApplyRemedyParams,
  type CallDownloaderAnswer,
  type CallDownloaderParams,
  type CreateDownloaderParams,
  type DisposeDownloaderParams,
  DOWNLOADER_METHODS,
  type GatherParams,
  LOG_LEVELS,
  type LogParams,
  type RegisterParams,
  type RunCheckParams,
  type RunGathererParams,
  ToDaemon,
  ToPlugin,
} from "./protocol.js";
import type { RpcChannel } from "./rpc.js";

/** Which of the optional adapter methods the plugin's adapter has. */
export type DownloaderMethodList = string[];

/** What a check run sends back: the result, or why it cannot be used (measured here, before sending). */
export type RunCheckAnswer = { result: unknown } | { problem: LocalizedText };

const MAX_LOG_FIELDS_BYTES = 16 * 1024;

function message(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/**
 * The one plugin a process hosts: loads it, gives it an ExtensionContext whose calls become messages, and
 * answers the daemon's requests to run what it registered.
 */
export class HostedExtension {
  private readonly checks = new Map<string, CheckImplementation>();
  private readonly gatherers = new Map<string, Gatherer>();
  private readonly downloaderFactories = new Map<string, DownloaderFactory>();
  private readonly downloaders = new Map<number, DownloaderAdapter>();
  private readonly subscriptions: Disposable[] = [];
  private module: ExtensionModule | undefined;
  private services: ServiceAccessor | undefined;

  constructor(private readonly channel: RpcChannel) {
    channel.handle(ToPlugin.activate, (params) => this.activate(params as ActivateParams));
    channel.handle(ToPlugin.runCheck, (params, signal) => this.runCheck(params as RunCheckParams, signal));
    channel.handle(ToPlugin.runGatherer, (params, signal) =>
      this.runGatherer(params as RunGathererParams, signal),
    );
    channel.handle(ToPlugin.applyRemedy, (params, signal) =>
      this.applyRemedy(params as ApplyRemedyParams, signal),
    );
    channel.handle(ToPlugin.createDownloader, (params) =>
      this.createDownloader(params as CreateDownloaderParams),
    );
    channel.handle(ToPlugin.callDownloader, (params, signal) =>
      this.callDownloader(params as CallDownloaderParams, signal),
    );
    channel.handle(ToPlugin.disposeDownloader, (params) =>
      this.disposeDownloader(params as DisposeDownloaderParams),
    );
    channel.handle(ToPlugin.deactivate, () => this.deactivate());
  }

  private async activate(params: ActivateParams): Promise<ActivateResult> {
    let module: Partial<ExtensionModule>;
    try {
      module = (await import(pathToFileURL(params.mainPath).href)) as Partial<ExtensionModule>;
    } catch (error) {
      return { ok: false, phase: "load", message: message(error) };
    }
    if (typeof module.activate !== "function")
      return { ok: false, phase: "load", message: hostText("main.no-activate") };
    this.module = module as ExtensionModule;
    this.services = createServiceAccessor(this.channel, params.data);
    try {
      await this.module.activate(this.context(params));
      return { ok: true };
    } catch (error) {
      return { ok: false, phase: "activate", message: message(error) };
    }
  }

  private context(params: ActivateParams): ExtensionContext {
    const declared = new Set((params.manifest.contributes?.checks ?? []).map((check) => check.id));
    const declaredKinds = new Set((params.manifest.contributes?.downloaders ?? []).map((item) => item.kind));
    const register = (registration: RegisterParams, undo: () => void): Disposable => {
      this.channel.notify(ToDaemon.register, registration);
      return toDisposable(() => {
        undo();
        this.channel.notify(ToDaemon.unregister, { kind: registration.kind, id: registration.id });
      });
    };
    return {
      extensionId: params.extensionId,
      extensionPath: params.extensionPath,
      manifest: params.manifest,
      subscriptions: this.subscriptions,
      logger: this.logger(),
      config: params.config,
      services: this.services as ServiceAccessor,
      apiVersion: params.apiVersion,
      registerCheck: (id, implementation) => {
        if (!declared.has(id))
          throw new Error(
            `check ${id} is not declared in contributes.checks of ${params.extensionId}'s manifest`,
          );
        if (typeof implementation?.run !== "function")
          throw new Error(`check ${id} has no run(context) function`);
        this.checks.set(id, implementation);
        const hasRemedy = typeof implementation.applyRemedy === "function";
        return register({ kind: "check", id, hasRemedy }, () => {
          if (this.checks.get(id) === implementation) this.checks.delete(id);
        });
      },
      registerGatherer: (id, gatherer) => {
        if (this.gatherers.has(id)) throw new Error(`a gatherer named ${id} is already registered`);
        if (typeof gatherer?.gather !== "function")
          throw new Error(`gatherer ${id} has no gather(context) function`);
        this.gatherers.set(id, gatherer as Gatherer);
        return register({ kind: "gatherer", id }, () => {
          if (this.gatherers.get(id) === gatherer) this.gatherers.delete(id);
        });
      },
      registerDownloader: (kind, factory) => {
        if (!declaredKinds.has(kind))
          throw new Error(
            `downloader ${kind} is not declared in contributes.downloaders of ${params.extensionId}'s manifest`,
          );
        if (typeof factory !== "function")
          throw new Error(`downloader ${kind} needs a factory function (settings, context) => adapter`);
        this.downloaderFactories.set(kind, factory);
        return register({ kind: "downloader", id: kind }, () => {
          if (this.downloaderFactories.get(kind) === factory) this.downloaderFactories.delete(kind);
        });
      },
    };
  }

  /** A logger whose lines reach the daemon's log, tagged with the call (check, gatherer) they belong to. */
  private logger(scope?: number): Logger {
    const write = (level: LogParams["level"]) => (text: string, fields?: Record<string, unknown>) => {
      const params: LogParams = { level, message: String(text), ...(scope !== undefined ? { scope } : {}) };
      if (fields !== undefined) params.fields = boundedFields(fields);
      this.channel.notify(ToDaemon.log, params);
    };
    return Object.fromEntries(LOG_LEVELS.map((level) => [level, write(level)])) as unknown as Logger;
  }

  private gather(scope: number) {
    return <T>(gathererId: string): Promise<T> => {
      const params: GatherParams = { scope, gathererId };
      return this.channel.request<T>(ToDaemon.gather, params, { label: `gatherer ${gathererId}` });
    };
  }

  private async runCheck(params: RunCheckParams, signal: AbortSignal): Promise<RunCheckAnswer> {
    const check = this.checks.get(params.checkId);
    if (!check) throw new Error(`no implementation of ${params.checkId} is registered in this process`);
    const dependencies = new Map(Object.entries(params.dependencies ?? {}));
    const result = await check.run({
      signal,
      logger: this.logger(params.scope),
      services: this.services as ServiceAccessor,
      gather: this.gather(params.scope),
      dependency: (id): CheckOutcome | undefined => dependencies.get(id),
    });
    // Checked here so an oversized or unserialisable result never crosses the pipe.
    const problem = resultProblem(result);
    return problem ? { problem } : { result };
  }

  private async runGatherer(params: RunGathererParams, signal: AbortSignal): Promise<unknown> {
    const gatherer = this.gatherers.get(params.gathererId);
    if (!gatherer) throw new Error(`no gatherer ${params.gathererId} is registered in this process`);
    return gatherer.gather({
      signal,
      logger: this.logger(params.scope),
      services: this.services as ServiceAccessor,
      gather: this.gather(params.scope),
    });
  }

  private async applyRemedy(params: ApplyRemedyParams, signal: AbortSignal): Promise<unknown> {
    const check = this.checks.get(params.checkId);
    if (!check?.applyRemedy) throw new Error(`check ${params.checkId} cannot apply remedies in this process`);
    return check.applyRemedy(params.remedyId, {
      signal,
      logger: this.logger(params.scope),
      services: this.services as ServiceAccessor,
    });
  }

  private createDownloader({ kind, instance, settings }: CreateDownloaderParams): DownloaderMethodList {
    const factory = this.downloaderFactories.get(kind);
    if (!factory) throw new Error(`no downloader ${kind} is registered in this process`);
    const adapter = factory(settings, { logger: this.logger() });
    this.downloaders.set(instance, adapter);
    return DOWNLOADER_METHODS.filter((method) => typeof adapter[method] === "function");
  }

  private async callDownloader(
    { instance, method, port }: CallDownloaderParams,
    signal: AbortSignal,
  ): Promise<CallDownloaderAnswer> {
    const adapter = this.downloaders.get(instance);
    if (!adapter) return { ok: false, message: `downloader adapter ${instance} is gone from this process` };
    if (!DOWNLOADER_METHODS.includes(method) || typeof adapter[method] !== "function")
      return { ok: false, kind: "UNSUPPORTED", message: `the adapter has no ${String(method)}()` };
    try {
      const value =
        method === "setListenPort"
          ? await adapter.setListenPort(Number(port), { signal })
          : await (adapter[method] as (options: { signal: AbortSignal }) => Promise<unknown>)({ signal });
      return { ok: true, value };
    } catch (error) {
      return isDownloaderError(error)
        ? { ok: false, kind: error.kind, message: error.message }
        : { ok: false, message: message(error) };
    }
  }

  private async disposeDownloader({ instance }: DisposeDownloaderParams): Promise<void> {
    const adapter = this.downloaders.get(instance);
    this.downloaders.delete(instance);
    await adapter?.dispose?.();
  }

  private async deactivate(): Promise<string[]> {
    const problems: string[] = [];
    try {
      await this.module?.deactivate?.();
    } catch (error) {
      problems.push(`deactivate() threw: ${message(error)}`);
    }
    for (const subscription of this.subscriptions.splice(0).reverse()) {
      try {
        await subscription.dispose();
      } catch (error) {
        problems.push(`a subscription's dispose() threw: ${message(error)}`);
      }
    }
    return problems;
  }
}

/** Log fields stay small; a plugin logging a whole response still gets a line saying how big it was. */
function boundedFields(fields: Record<string, unknown>): Record<string, unknown> {
  try {
    const bytes = Buffer.byteLength(JSON.stringify(fields) ?? "");
    if (bytes <= MAX_LOG_FIELDS_BYTES) return fields;
    return { fieldsOmitted: `${bytes} bytes of fields, over the ${MAX_LOG_FIELDS_BYTES} byte limit` };
  } catch (error) {
    return { fieldsOmitted: `fields are not JSON: ${message(error)}` };
  }
}
