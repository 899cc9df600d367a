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
  ServiceAccessor,
} from "@autostun/plugins-api";
import { DownloaderError } from "@autostun/plugins-api";
import { LocalizedError, TIMED_OUT, withDeadline } from "@autostun/runtime";
import { InvalidResultError } from "../contributions/invalid-result.js";
import { hostText } from "../contributions/messages.js";
import { isCheckResult, resultProblem } from "../contributions/validate-result.js";
import { pluginProcessEntry } from "./child-entry.js";
import { isNumber } from "./guards.js";
import {
  type ActivateParams,
  type ActivateResult,
  type DownloaderMethod,
  isDownloaderDescription,
  type LogParams,
  type RegisterParams,
  TO_DAEMON,
  TO_PLUGIN,
  type ToDaemon,
  type ToPlugin,
  type UnregisterParams,
} from "./protocol.js";
import { type Method, type Params, type Result, RpcChannel } from "./rpc.js";
import { callService } from "./services-served.js";

type DaemonChannel = RpcChannel<ToPlugin, ToDaemon>;

const STDERR_TAIL_BYTES = 4096;
const MAX_OUTPUT_LINE = 2000;
const DISCONNECT_GRACE_MS = 1000;
/** How long a dead process's stderr may take to drain before its exit is reported without it. */
const STDERR_DRAIN_MS = 200;

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
  /** The plugin registered a check, gatherer or downloader; the host decides whether to accept it. */
  onRegister(registration: RegisterParams): void;
  onUnregister(registration: UnregisterParams): void;
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
  private channel: DaemonChannel | undefined;
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
    const channel = await this.spawn(entry);
    return channel.request("activate", params, { label: hostText("during.activate") });
  }

  /** Starts the process; resolves with its channel once the plugin runtime in it says it is ready. */
  private spawn(entry: string): Promise<DaemonChannel> {
    const child = fork(entry, [], {
      execArgv: [`--max-old-space-size=${this.options.limits.memoryLimitMb}`],
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      serialization: "json",
      env: pluginEnvironment(process.env),
    });
    this.child = child;
    const channel: DaemonChannel = new RpcChannel((message) => child.send(message), {
      sends: TO_PLUGIN,
      receives: TO_DAEMON,
      onProblem: (problem) => this.options.logger.warn("plugin process protocol problem", { problem }),
    });
    this.channel = channel;
    this.serve(channel);
    this.forwardOutput(child);
    const ready = new Promise<DaemonChannel>((resolve, reject) => {
      channel.onNote("ready", () => {
        this.startHeartbeat();
        resolve(channel);
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
  private serve(channel: DaemonChannel): void {
    channel.onNote("register", (params) => this.options.onRegister(params));
    channel.onNote("unregister", (params) => this.options.onUnregister(params));
    channel.onNote("log", (params) => this.log(params));
    channel.onNote("fault", (fault) => {
      this.options.logger.error(
        `plugin ${this.options.extensionId} had an ${fault.kind}; its process goes on`,
        { kind: fault.kind, error: fault.message.slice(0, 4000) },
      );
    });
    channel.handle("gather", ({ scope, gathererId }) => {
      const owner = this.scopes.get(scope);
      if (!owner) throw new Error(`gather(${gathererId}) came after its check or gatherer had finished`);
      return owner.gather(gathererId);
    });
    channel.handle("service.call", (params, signal) => callService(this.options.services, params, signal));
  }

  private log({ level, message, fields, scope }: LogParams): void {
    const logger = (scope !== undefined ? this.scopes.get(scope)?.logger : undefined) ?? this.options.logger;
    const text = message.slice(0, MAX_OUTPUT_LINE);
    if (fields) logger[level](text, fields);
    else logger[level](text);
  }

  /** A plugin's console output goes to the daemon's log, never into the daemon's own stdout. */
  private forwardOutput(child: ChildProcess): void {
    const forward = (name: string, stream: NodeJS.ReadableStream | null) => {
      if (!stream) return;
      createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) =>
        this.options.logger.info("plugin output", { stream: name, line: line.slice(0, MAX_OUTPUT_LINE) }),
      );
    };
    forward("stdout", child.stdout);
    forward("stderr", child.stderr);
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-STDERR_TAIL_BYTES);
    });
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
      this.channel?.request("ping", {}, { label: hostText("during.heartbeat") }).then(
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
    if (stderr && !stderr.readableEnded)
      await withDeadline(() => new Promise<void>((resolve) => stderr.once("end", resolve)), STDERR_DRAIN_MS);
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
    const channel = this.channel;
    if (this.alive && channel) {
      const answer = await withDeadline(
        () => channel.request("deactivate", {}, { label: hostText("during.deactivate") }),
        timeoutMs,
      ).catch((error: unknown) => [error instanceof Error ? error.message : String(error)]);
      const problems =
        answer === TIMED_OUT
          ? [`deactivate() did not finish within ${timeoutMs} ms`]
          : Array.isArray(answer)
            ? answer
            : [];
      for (const problem of problems) this.options.logger.warn("deactivate problem", { problem });
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

  private request<M extends Method<ToPlugin>>(
    method: M,
    params: Params<ToPlugin, M>,
    label: LocalizedText,
    signal?: AbortSignal,
  ): Promise<Result<ToPlugin, M>> {
    if (!this.channel) return Promise.reject(this.deathError(label));
    // The engine has moved on once it aborts; the plugin still gets the cancel message.
    return this.channel.request(method, params, {
      label,
      settleOnAbort: true,
      ...(signal ? { signal } : {}),
    });
  }

  /** A stand-in the engine runs like any check; the work happens in the plugin's process. */
  checkProxy(checkId: string, dependsOn: readonly string[], hasRemedy: boolean): CheckImplementation {
    const proxy: CheckImplementation = {
      run: (context: CheckRunContext) =>
        this.withScope(context, async (scope) => {
          const dependencies: Params<ToPlugin, "check.run">["dependencies"] = {};
          for (const id of dependsOn) {
            const outcome = context.dependency(id);
            if (outcome) dependencies[id] = outcome;
          }
          const answer = await this.request(
            "check.run",
            { checkId, scope, dependencies },
            hostText("during.check", { check: checkId }),
            context.signal,
          );
          if ("problem" in answer) throw new InvalidResultError(answer.problem);
          if (isCheckResult(answer.result)) return answer.result;
          throw new InvalidResultError(resultProblem(answer.result) ?? "the result could not be read");
        }),
    };
    if (hasRemedy) {
      proxy.applyRemedy = (remedyId: string, context: RemedyContext) =>
        this.withScope({ logger: context.logger, gather: notInRemedy }, (scope) =>
          this.request(
            "remedy.apply",
            { checkId, remedyId, scope },
            hostText("during.remedy", { remedy: remedyId, check: checkId }),
            context.signal,
          ),
        );
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
      let created: Promise<DownloaderMethod[]> | undefined;
      const create = () => {
        created ??= this.request("downloader.create", { kind, instance, settings: { ...settings } }, label);
        return created;
      };
      const call = async (method: DownloaderMethod, options?: DownloaderCallOptions, port?: number) => {
        await create();
        const answer = await this.request(
          "downloader.call",
          { instance, method, ...(port !== undefined ? { port } : {}) },
          label,
          options?.signal,
        );
        if (answer.ok) return answer.value;
        throw answer.kind ? new DownloaderError(answer.kind, answer.message) : new Error(answer.message);
      };
      const adapter: DownloaderAdapter = {
        describe: async (options) => {
          const value = await call("describe", options);
          if (isDownloaderDescription(value)) return value;
          throw new Error(`the ${kind} adapter's describe() answered something that is not a description`);
        },
        getListenPort: async (options) => {
          const value = await call("getListenPort", options);
          if (isNumber(value)) return value;
          throw new Error(`the ${kind} adapter's getListenPort() answered something that is not a port`);
        },
        setListenPort: async (port, options) => void (await call("setListenPort", options, port)),
        // Always offered: whether the plugin's adapter has it is only known there, and answers UNSUPPORTED.
        reannounce: async (options) => void (await call("reannounce", options)),
        dispose: async () => {
          if (!created || !this.alive) return;
          await this.request("downloader.dispose", { instance }, label).catch(() => undefined);
        },
      };
      return adapter;
    };
  }

  gathererProxy(gathererId: string): Gatherer {
    return {
      gather: (context: GatherContext) =>
        this.withScope(context, (scope) =>
          this.request(
            "gatherer.run",
            { gathererId, scope },
            hostText("during.gatherer", { id: gathererId }),
            context.signal,
          ),
        ),
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
