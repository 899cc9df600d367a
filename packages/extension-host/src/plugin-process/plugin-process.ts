import { type ChildProcess, fork } from "node:child_process";
import { createInterface } from "node:readline";
import type {
  CheckImplementation,
  CheckRunContext,
  DownloaderAdapter,
  DownloaderCallOptions,
  DownloaderFactory,
  GatherContext,
  Gatherer,
  LocalizedText,
  Logger,
  RemedyContext,
  RemedyOutcome,
  ServiceAccessor,
  ServiceToken,
} from "@autostun/plugins-api";
import { DownloaderError, Services } from "@autostun/plugins-api";
import { LocalizedError } from "@autostun/runtime";
import { reportedProblem } from "../checks/validate-result.js";
import { hostText } from "../extensions/messages.js";
import { pluginProcessEntry } from "./child-entry.js";
import type { RunCheckAnswer } from "./child-extension.js";
import {
  type ActivateParams,
  type ActivateResult,
  type ApplyRemedyParams,
  type CallDownloaderAnswer,
  type CallDownloaderParams,
  type CreateDownloaderParams,
  type DownloaderMethod,
  type FaultParams,
  type GatherParams,
  LOG_LEVELS,
  type LogParams,
  type RegisterParams,
  type RunCheckParams,
  type RunGathererParams,
  SERVICE_METHODS,
  type ServiceCallParams,
  ToDaemon,
  ToPlugin,
} from "./protocol.js";
import { RpcChannel } from "./rpc.js";

const STDERR_TAIL_BYTES = 4096;
const MAX_OUTPUT_LINE = 2000;
const DISCONNECT_GRACE_MS = 1000;

export interface IsolationLimits {
  /** A process that leaves a heartbeat unanswered this long is hung (a busy loop) and is killed. */
  heartbeatTimeoutMs: number;
  /** V8 heap limit of the plugin's process; going over it ends the process, never the daemon. */
  memoryLimitMb: number;
}

export interface PluginProcessOptions {
  extensionId: string;
  logger: Logger;
  services: ServiceAccessor;
  limits: IsolationLimits;
  /** The plugin registered a check or gatherer; the host decides whether to accept it. */
  onRegister(registration: RegisterParams): void;
  onUnregister(registration: Pick<RegisterParams, "kind" | "id">): void;
  /** The process ended without being asked to: `cause` says how ("exited with code 3"). */
  onDeath(cause: LocalizedText): void;
}

/** What a call the daemon made into the plugin brings along: how to gather and where to log. */
interface Scope {
  gather<T>(gathererId: string): Promise<T>;
  logger: Logger;
}

/** The error every call to a dead plugin process settles with: which plugin, what happened, during what. */
export class PluginHostDied extends LocalizedError {
  constructor(extensionId: string, cause: LocalizedText, during: LocalizedText) {
    super(hostText("process.died", { id: extensionId, cause, during }));
    this.name = "PluginHostDied";
  }
}

/**
 * One third-party plugin in a process of its own (VS Code's extension host, one per plugin): the daemon
 * side of the RPC, the heartbeat that finds a hung process, and the watch that turns its death into
 * errors naming the plugin and the cause.
 */
export class PluginProcess {
  private child: ChildProcess | undefined;
  private channel: RpcChannel | undefined;
  private readonly scopes = new Map<number, Scope>();
  private nextScope = 1;
  private nextDownloader = 1;
  private deathCause: LocalizedText | undefined;
  private stopping = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private pingSentAt: number | undefined;
  private stderrTail = "";
  private failStart: ((error: Error) => void) | undefined;
  private readonly started = Date.now();

  constructor(private readonly options: PluginProcessOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get alive(): boolean {
    return this.child !== undefined && this.deathCause === undefined;
  }

  /** Milliseconds since the process was started. */
  get uptimeMs(): number {
    return Date.now() - this.started;
  }

  /** Starts the process, loads the plugin in it and calls its `activate()`. */
  async activate(params: ActivateParams): Promise<ActivateResult> {
    const entry = await pluginProcessEntry((reason) =>
      this.options.logger.warn("plugin runtime not bundled; starting plugins through tsx", { reason }),
    );
    const ready = this.spawn(entry);
    await ready;
    return (this.channel as RpcChannel).request<ActivateResult>(ToPlugin.activate, params, {
      label: hostText("during.activate"),
    });
  }

  private spawn(entry: string): Promise<void> {
    const child = fork(entry, [], {
      execArgv: [`--max-old-space-size=${this.options.limits.memoryLimitMb}`],
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      serialization: "json",
      env: pluginEnvironment(process.env),
    });
    this.child = child;
    const channel = new RpcChannel((message) => child.send(message), {
      onProblem: (problem) => this.options.logger.warn("plugin process protocol problem", { problem }),
    });
    this.channel = channel;
    this.serve(channel);
    this.forwardOutput(child);
    const ready = new Promise<void>((resolve, reject) => {
      channel.onNote(ToDaemon.ready, () => {
        this.startHeartbeat();
        resolve();
      });
      this.failStart = reject;
    });
    child.on("message", (message) => channel.receive(message));
    child.once("error", (error) => this.die(hostText("process.spawn-failed", { reason: error.message })));
    child.once("exit", (code, signal) => void this.exited(code, signal));
    child.once("disconnect", () => {
      // An exiting process disconnects first; only one that stays alive without its channel is reported so.
      setTimeout(() => {
        if (!this.deathCause && child.exitCode === null && child.signalCode === null)
          this.die(hostText("process.disconnected"));
      }, DISCONNECT_GRACE_MS).unref();
    });
    return ready;
  }

  private deathError(during: LocalizedText): Error {
    return new PluginHostDied(
      this.options.extensionId,
      this.deathCause ?? hostText("process.not-running"),
      during,
    );
  }

  /** Requests the plugin's process may send the daemon, each checked before it touches anything. */
  private serve(channel: RpcChannel): void {
    channel.onNote(ToDaemon.register, (params) => this.options.onRegister(params as RegisterParams));
    channel.onNote(ToDaemon.unregister, (params) => this.options.onUnregister(params as RegisterParams));
    channel.onNote(ToDaemon.log, (params) => this.log(params as LogParams));
    channel.onNote(ToDaemon.fault, (params) => {
      const fault = params as FaultParams;
      this.options.logger.error(
        `plugin ${this.options.extensionId} had an ${fault.kind}; its process goes on`,
        {
          kind: String(fault.kind),
          error: String(fault.message).slice(0, 4000),
        },
      );
    });
    channel.handle(ToDaemon.gather, (params) => {
      const { scope, gathererId } = params as GatherParams;
      const owner = this.scopes.get(scope);
      if (!owner) throw new Error(`gather(${gathererId}) came after its check or gatherer had finished`);
      return owner.gather(String(gathererId));
    });
    channel.handle(ToDaemon.callService, (params, signal) =>
      this.callService(params as ServiceCallParams, signal),
    );
  }

  private callService({ service, method, args }: ServiceCallParams, signal: AbortSignal): Promise<unknown> {
    const methods = (SERVICE_METHODS as Record<string, readonly string[]>)[service];
    if (!methods?.includes(method)) throw new Error(`the host offers no service method ${service}.${method}`);
    const token = Services[service as keyof typeof SERVICE_METHODS] as ServiceToken<unknown>;
    const target = this.options.services.get(token) as Record<
      string,
      (...callArgs: unknown[]) => Promise<unknown>
    >;
    const callArgs = Array.isArray(args) ? [...args] : [];
    // The plugin's AbortSignal arrived as a cancel message; the real service gets this end's signal.
    if (service === "CommandRunner") {
      const options = typeof callArgs[2] === "object" && callArgs[2] !== null ? callArgs[2] : {};
      callArgs[2] = { ...options, signal };
    }
    if (service === "Downloaders" && method === "probe") {
      const options = typeof callArgs[1] === "object" && callArgs[1] !== null ? callArgs[1] : {};
      callArgs[1] = { ...options, signal };
    }
    if (service === "UpnpGateway" && method === "probe") {
      const options = typeof callArgs[0] === "object" && callArgs[0] !== null ? callArgs[0] : {};
      callArgs[0] = { ...options, signal };
    }
    return Promise.resolve((target[method] as (...a: unknown[]) => Promise<unknown>).apply(target, callArgs));
  }

  private log({ level, message, fields, scope }: LogParams): void {
    const logger = (scope !== undefined ? this.scopes.get(scope)?.logger : undefined) ?? this.options.logger;
    const write = LOG_LEVELS.includes(level) ? level : "info";
    const text = String(message).slice(0, MAX_OUTPUT_LINE);
    if (fields && typeof fields === "object") logger[write](text, fields);
    else logger[write](text);
  }

  /** A plugin's console output goes to the daemon's log, never into the daemon's own stdout. */
  private forwardOutput(child: ChildProcess): void {
    for (const [name, stream] of [
      ["stdout", child.stdout],
      ["stderr", child.stderr],
    ] as const) {
      if (!stream) continue;
      if (name === "stderr") {
        stream.on("data", (chunk: Buffer) => {
          this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-STDERR_TAIL_BYTES);
        });
      }
      createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) =>
        this.options.logger.info("plugin output", { stream: name, line: line.slice(0, MAX_OUTPUT_LINE) }),
      );
    }
  }

  private startHeartbeat(): void {
    const timeout = this.options.limits.heartbeatTimeoutMs;
    const tick = Math.max(50, Math.min(1000, Math.floor(timeout / 4)));
    let lastTick = Date.now();
    this.heartbeat = setInterval(() => {
      const now = Date.now();
      const stalled = now - lastTick > tick * 3;
      lastTick = now;
      // The daemon's own loop was blocked, so a reply may be waiting unread: give the plugin a fresh window.
      if (stalled && this.pingSentAt !== undefined) this.pingSentAt = now;
      if (this.pingSentAt !== undefined) {
        if (Date.now() - this.pingSentAt >= timeout)
          this.die(hostText("process.unresponsive", { ms: timeout }));
        return;
      }
      this.pingSentAt = Date.now();
      this.channel?.request(ToPlugin.ping, {}, { label: hostText("during.heartbeat") }).then(
        () => {
          this.pingSentAt = undefined;
        },
        () => undefined,
      );
    }, tick);
    this.heartbeat.unref();
  }

  private async exited(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    if (this.deathCause) return;
    // V8 says why it aborted on stderr, which may still be draining when `exit` fires.
    const stderr = this.child?.stderr;
    if (stderr && !stderr.readableEnded) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        stderr.once("end", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (/heap out of memory|Reached heap limit/i.test(this.stderrTail)) {
      this.die(hostText("process.out-of-memory", { mb: this.options.limits.memoryLimitMb }));
    } else if (signal) {
      this.die(hostText("process.signal", { signal }));
    } else {
      this.die(hostText("process.exit-code", { code: String(code) }));
    }
  }

  /** Marks the process dead, settles every pending call with the cause at once, and kills what is left. */
  private die(cause: LocalizedText): void {
    if (this.deathCause) return;
    this.deathCause = cause;
    clearInterval(this.heartbeat);
    this.channel?.close((during) => new PluginHostDied(this.options.extensionId, cause, during));
    this.scopes.clear();
    this.failStart?.(this.deathError(hostText("during.start-up")));
    if (this.child && this.child.exitCode === null && this.child.signalCode === null)
      this.child.kill("SIGKILL");
    if (!this.stopping) this.options.onDeath(cause);
  }

  /** Ends the process now, for a reason the caller gives (activation timed out, the host stops). */
  kill(cause: LocalizedText): void {
    this.stopping = true;
    this.die(cause);
  }

  /** Asks the plugin to deactivate, waits at most `timeoutMs`, then kills the process whatever happened. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    if (this.alive && this.channel) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<string[]>((resolve) => {
        timer = setTimeout(() => resolve([`deactivate() did not finish within ${timeoutMs} ms`]), timeoutMs);
      });
      const problems = await Promise.race([
        this.channel.request<string[]>(ToPlugin.deactivate, {}, { label: hostText("during.deactivate") }),
        deadline,
      ]).catch((error: unknown) => [String((error as Error)?.message ?? error)]);
      clearTimeout(timer);
      for (const problem of Array.isArray(problems) ? problems : [])
        this.options.logger.warn("deactivate problem", { problem: String(problem) });
    }
    const child = this.child;
    const gone =
      child && child.exitCode === null && child.signalCode === null
        ? new Promise<void>((resolve) => child.once("exit", () => resolve()))
        : Promise.resolve();
    this.die(hostText("process.shutdown"));
    await gone;
  }

  private withScope<T>(scope: Scope, work: (id: number) => Promise<T>): Promise<T> {
    const id = this.nextScope++;
    this.scopes.set(id, scope);
    return work(id).finally(() => this.scopes.delete(id));
  }

  private request<T>(method: string, params: unknown, signal: AbortSignal, label: LocalizedText): Promise<T> {
    if (!this.channel) return Promise.reject(this.deathError(label));
    // The engine has moved on once it aborts; the plugin still gets the cancel message.
    return this.channel.request<T>(method, params, { signal, label, settleOnAbort: true });
  }

  /** A stand-in the engine runs like any check; the work happens in the plugin's process. */
  checkProxy(checkId: string, dependsOn: readonly string[], hasRemedy: boolean): CheckImplementation {
    const proxy: CheckImplementation = {
      run: (context: CheckRunContext) =>
        this.withScope(context, async (scope) => {
          const dependencies: RunCheckParams["dependencies"] = {};
          for (const id of dependsOn) {
            const outcome = context.dependency(id);
            if (outcome) dependencies[id] = outcome;
          }
          const params: RunCheckParams = { checkId, scope, dependencies };
          const answer = await this.request<RunCheckAnswer>(
            ToPlugin.runCheck,
            params,
            context.signal,
            hostText("during.check", { check: checkId }),
          );
          return ("problem" in answer ? reportedProblem(answer.problem) : answer.result) as never;
        }),
    };
    if (hasRemedy) {
      proxy.applyRemedy = (remedyId: string, context: RemedyContext) =>
        this.withScope({ logger: context.logger, gather: notInRemedy }, (scope) => {
          const params: ApplyRemedyParams = { checkId, remedyId, scope };
          return this.request<RemedyOutcome>(
            ToPlugin.applyRemedy,
            params,
            context.signal,
            hostText("during.remedy", { remedy: remedyId, check: checkId }),
          );
        });
    }
    return proxy;
  }

  /**
   * A factory whose adapters live in the plugin's process: the adapter is made there on the first call,
   * and a DownloaderError thrown there arrives here with its kind.
   */
  downloaderFactory(kind: string): DownloaderFactory {
    return (settings) => {
      const instance = this.nextDownloader++;
      const label = hostText("during.downloader", { kind });
      let created: Promise<unknown> | undefined;
      const create = () => {
        const channel = this.channel;
        if (!channel) return Promise.reject(this.deathError(label));
        const params: CreateDownloaderParams = { kind, instance, settings: { ...settings } };
        created ??= channel.request(ToPlugin.createDownloader, params, { label });
        return created;
      };
      const call = async (method: DownloaderMethod, options?: DownloaderCallOptions, port?: number) => {
        await create();
        const channel = this.channel as RpcChannel;
        const params: CallDownloaderParams = { instance, method, ...(port !== undefined ? { port } : {}) };
        const answer = await channel.request<CallDownloaderAnswer>(ToPlugin.callDownloader, params, {
          label,
          settleOnAbort: true,
          ...(options?.signal ? { signal: options.signal } : {}),
        });
        if (answer.ok) return answer.value;
        throw answer.kind ? new DownloaderError(answer.kind, answer.message) : new Error(answer.message);
      };
      const adapter: DownloaderAdapter = {
        describe: (options) => call("describe", options) as ReturnType<DownloaderAdapter["describe"]>,
        getListenPort: (options) => call("getListenPort", options) as Promise<number>,
        setListenPort: async (port, options) => void (await call("setListenPort", options, port)),
        // Always offered: whether the plugin's adapter has it is only known there, and answers UNSUPPORTED.
        reannounce: async (options) => void (await call("reannounce", options)),
        dispose: async () => {
          if (!created || !this.alive) return;
          await this.channel
            ?.request(ToPlugin.disposeDownloader, { instance }, { label })
            .catch(() => undefined);
        },
      };
      return adapter;
    };
  }

  gathererProxy(gathererId: string): Gatherer {
    return {
      gather: (context: GatherContext) =>
        this.withScope(context, (scope) => {
          const params: RunGathererParams = { gathererId, scope };
          return this.request(
            ToPlugin.runGatherer,
            params,
            context.signal,
            hostText("during.gatherer", { id: gathererId }),
          );
        }),
    };
  }
}

function notInRemedy(): Promise<never> {
  return Promise.reject(new Error("gather() is only available while a check runs"));
}

/**
 * The daemon's own settings (the API token among them) stay with the daemon: a plugin gets its
 * section of the config through its context, never the AUTOSTUN_* variables.
 */
export function pluginEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^AUTOSTUN_/i.test(name)));
}
