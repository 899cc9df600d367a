import { pathToFileURL } from "node:url";
import {
  type CheckImplementation,
  type CheckOutcome,
  type Disposable,
  type DownloaderAdapter,
  DownloaderError,
  type DownloaderFactory,
  type ExtensionContext,
  type ExtensionModule,
  type Gatherer,
  isDownloaderError,
  type Logger,
  type RemedyOutcome,
  type ServiceAccessor,
  toDisposable,
} from "@autostun/plugins-api";
import { CONTRIBUTION_KINDS, type ContributionKind, misuse } from "../contributions/contribution-kinds.js";
import { hostText } from "../contributions/messages.js";
import { resultProblem } from "../contributions/validate-result.js";
import { createServiceAccessor, type PluginChannel } from "./child-services.js";
import {
  type ActivateParams,
  type ActivateResult,
  type ApplyRemedyParams,
  type CallDownloaderAnswer,
  type CallDownloaderParams,
  type CreateDownloaderParams,
  type DisposeDownloaderParams,
  DOWNLOADER_METHODS,
  type DownloaderMethod,
  type LogLevel,
  type RegisterParams,
  type RunCheckAnswer,
  type RunCheckParams,
  type RunGathererParams,
} from "./protocol.js";

export type { PluginChannel } from "./child-services.js";

const MAX_LOG_FIELDS_BYTES = 16 * 1024;

function message(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

function isModule(value: unknown): value is ExtensionModule {
  return typeof value === "object" && value !== null && typeof Reflect.get(value, "activate") === "function";
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
  private services: ServiceAccessor = {
    get: () => {
      throw new Error("services are offered once the plugin is activated");
    },
  };

  constructor(private readonly channel: PluginChannel) {
    channel.handle("activate", (params) => this.activate(params));
    channel.handle("check.run", (params, signal) => this.runCheck(params, signal));
    channel.handle("gatherer.run", (params, signal) => this.runGatherer(params, signal));
    channel.handle("remedy.apply", (params, signal) => this.applyRemedy(params, signal));
    channel.handle("downloader.create", (params) => this.createDownloader(params));
    channel.handle("downloader.call", (params, signal) => this.callDownloader(params, signal));
    channel.handle("downloader.dispose", (params) => this.disposeDownloader(params));
    channel.handle("deactivate", () => this.deactivate());
  }

  private async activate(params: ActivateParams): Promise<ActivateResult> {
    let module: unknown;
    try {
      module = await import(pathToFileURL(params.mainPath).href);
    } catch (error) {
      return { ok: false, phase: "load", message: message(error) };
    }
    if (!isModule(module)) return { ok: false, phase: "load", message: hostText("main.no-activate") };
    this.module = module;
    this.services = createServiceAccessor(this.channel, params.data);
    try {
      await module.activate(this.context(params));
      return { ok: true };
    } catch (error) {
      return { ok: false, phase: "activate", message: message(error) };
    }
  }

  private context(params: ActivateParams): ExtensionContext {
    /**
     * Judges a registration by the same table the daemon uses: a problem the plugin's own code caused is
     * thrown here, where the plugin can see it, and told to the daemon, which logs it like any refusal.
     */
    const register = <V>(
      kind: ContributionKind<V>,
      id: string,
      value: unknown,
      keep: Map<string, V>,
      extra: Pick<RegisterParams, "hasRemedy"> = {},
    ): Disposable => {
      const problem = misuse(kind, params.extensionId, params.manifest, id, value);
      if (problem !== undefined || !kind.fits(value)) {
        const reason = problem ?? `${kind.name} ${id} needs ${kind.expected}`;
        this.channel.notify("register", { kind: kind.name, id, problem: reason });
        throw new Error(reason);
      }
      keep.set(id, value);
      this.channel.notify("register", { kind: kind.name, id, ...extra });
      return toDisposable(() => {
        if (keep.get(id) === value) keep.delete(id);
        this.channel.notify("unregister", { kind: kind.name, id });
      });
    };
    return {
      extensionId: params.extensionId,
      extensionPath: params.extensionPath,
      manifest: params.manifest,
      subscriptions: this.subscriptions,
      logger: this.logger(),
      config: params.config,
      services: this.services,
      apiVersion: params.apiVersion,
      registerCheck: (id, implementation) =>
        register(CONTRIBUTION_KINDS.check, id, implementation, this.checks, {
          hasRemedy: typeof implementation?.applyRemedy === "function",
        }),
      registerGatherer: (id, gatherer) => register(CONTRIBUTION_KINDS.gatherer, id, gatherer, this.gatherers),
      registerDownloader: (kind, factory) =>
        register(CONTRIBUTION_KINDS.downloader, kind, factory, this.downloaderFactories),
    };
  }

  /** A logger whose lines reach the daemon's log, tagged with the call (check, gatherer) they belong to. */
  private logger(scope?: number): Logger {
    const write = (level: LogLevel) => (text: string, fields?: Record<string, unknown>) => {
      this.channel.notify("log", {
        level,
        message: String(text),
        ...(scope !== undefined ? { scope } : {}),
        ...(fields !== undefined ? { fields: boundedFields(fields) } : {}),
      });
    };
    return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
  }

  /**
   * `context.gather()`: the daemon computes the value (in whichever plugin registered the gatherer) and
   * answers with plain JSON. The plugin API lets the caller name the type it expects, as it does in-process.
   */
  private gather(scope: number): <T>(gathererId: string) => Promise<T> {
    const channel = this.channel;
    function gather<T>(gathererId: string): Promise<T>;
    function gather(gathererId: string): Promise<unknown> {
      return channel.request("gather", { scope, gathererId }, { label: `gatherer ${gathererId}` });
    }
    return gather;
  }

  private async runCheck(params: RunCheckParams, signal: AbortSignal): Promise<RunCheckAnswer> {
    const check = this.checks.get(params.checkId);
    if (!check) throw new Error(`no implementation of ${params.checkId} is registered in this process`);
    const dependencies = new Map(Object.entries(params.dependencies));
    const result = await check.run({
      signal,
      logger: this.logger(params.scope),
      services: this.services,
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
      services: this.services,
      gather: this.gather(params.scope),
    });
  }

  private async applyRemedy(params: ApplyRemedyParams, signal: AbortSignal): Promise<RemedyOutcome> {
    const check = this.checks.get(params.checkId);
    if (!check?.applyRemedy) throw new Error(`check ${params.checkId} cannot apply remedies in this process`);
    return check.applyRemedy(params.remedyId, {
      signal,
      logger: this.logger(params.scope),
      services: this.services,
    });
  }

  private createDownloader({ kind, instance, settings }: CreateDownloaderParams): DownloaderMethod[] {
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
    try {
      const value = await this.invoke(adapter, method, port, signal);
      return { ok: true, value };
    } catch (error) {
      return isDownloaderError(error)
        ? { ok: false, kind: error.kind, message: error.message }
        : { ok: false, message: message(error) };
    }
  }

  /** Calls one adapter method; one the adapter lacks answers UNSUPPORTED, as a real adapter would. */
  private invoke(
    adapter: DownloaderAdapter,
    method: DownloaderMethod,
    port: number | undefined,
    signal: AbortSignal,
  ): Promise<unknown> {
    const unsupported = () => new DownloaderError("UNSUPPORTED", `the adapter has no ${method}()`);
    switch (method) {
      case "describe":
        return adapter.describe({ signal });
      case "getListenPort":
        return adapter.getListenPort({ signal });
      case "setListenPort":
        if (port === undefined) throw new Error("setListenPort() needs a port");
        return adapter.setListenPort(port, { signal });
      case "reannounce":
        if (!adapter.reannounce) throw unsupported();
        return adapter.reannounce({ signal });
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
