import type {
  CheckImplementation,
  CheckRunContext,
  CheckStatus,
  GatherContext,
  LocalizedText,
  Logger,
  RemedyOutcome,
  ServiceAccessor,
} from "@autostun/plugins-api";
import { localize } from "@autostun/plugins-api";
import type { EventChannel } from "@autostun/runtime";
import { ABORTED, errorText, LocalizedError, TIMED_OUT, withDeadline } from "@autostun/runtime";
import { InvalidResultError } from "../contributions/invalid-result.js";
import type { CheckDescriptor, CheckState } from "../contributions/model.js";
import { isCheckResult, resultProblem } from "../contributions/validate-result.js";
import type { ExtensionHost } from "../extensions/host.js";
import type { CheckEvents } from "./check-events.js";
import type { CheckStore } from "./check-store.js";
import { engineText } from "./messages.js";
import { planRun } from "./order.js";

export interface EngineOptions {
  host: ExtensionHost;
  store: CheckStore;
  bus: EventChannel<CheckEvents>;
  services: ServiceAccessor;
  logger: (bindings: Record<string, string>) => Logger;
  platform: NodeJS.Platform | "dsm";
  isPrivileged: boolean;
  /** Limit for applying one remedy. */
  remedyTimeoutMs?: number;
}

export class UnknownCheckError extends Error {
  constructor(readonly ids: string[]) {
    super(`unknown check id${ids.length > 1 ? "s" : ""}: ${ids.join(", ")}`);
    this.name = "UnknownCheckError";
  }
}

export interface RemedyResult extends RemedyOutcome {
  check?: CheckState;
}

export interface RunOptions {
  /**
   * Aborted when whoever asked for the run went away (a client that disconnected). A check that another
   * run still waits for keeps running; one that only this run wanted is stopped.
   */
  signal?: AbortSignal;
}

/** Thrown by `run()` once the daemon is stopping: no new work starts after `cancelAll()`. */
export class EngineClosedError extends Error {
  constructor(reason: string) {
    super(`no checks start any more: ${reason}`);
    this.name = "EngineClosedError";
  }
}

/** One check execution that one or more runs wait for. */
interface Inflight {
  promise: Promise<CheckState>;
  controller: AbortController;
  /** Runs still interested; a run without a signal keeps the check alive on its own. */
  waiters: Set<AbortSignal | "unconditional">;
}

/** DSM is a Linux: a check written for Linux runs there too, and one may also name `dsm` alone. */
function runsOn(platforms: readonly string[], platform: NodeJS.Platform | "dsm"): boolean {
  return platforms.includes(platform) || (platform === "dsm" && platforms.includes("linux"));
}

/** What `invoke` answers when the run was cancelled rather than finished. */
const CANCELLED = Symbol("cancelled");

function cancelledBy(requester: AbortSignal): Error {
  const reason = requester.reason ?? new LocalizedError(engineText("cancel.request-aborted"));
  return new LocalizedError(engineText("cancel.nobody-waits", { reason: errorText(reason) }));
}

function invalidResult(problem: LocalizedText): Pick<CheckState, "status" | "summary" | "facts"> {
  return { status: "ERROR", summary: engineText("invalid-result", { problem }), facts: {} };
}

/** For logs, which stay English; users get {@link errorText} in their language. */
function describeError(error: unknown): string {
  return localize(errorText(error));
}

/**
 * Runs checks in dependency order, independent ones in parallel, each under its own timeout and signal.
 * A check that throws, hangs or returns garbage is ERROR (the check broke); FAIL is only ever a verdict.
 */
export class CheckEngine {
  private readonly states = new Map<string, CheckState>();
  private readonly inflight = new Map<string, Inflight>();
  /** The per-run gather scopes, so cancelling stops shared probes too. */
  private readonly scopes = new Set<AbortController>();
  private activeRuns = 0;
  private idleWaiters: (() => void)[] = [];
  private closedReason: string | undefined;

  constructor(private readonly options: EngineOptions) {
    const remembered = new Map(options.store.latest().map((state) => [state.id, state]));
    for (const descriptor of options.host.checks()) {
      const last = remembered.get(descriptor.id);
      // A result from an earlier daemon is shown until the first run replaces it, re-labelled with today's manifest.
      this.states.set(
        descriptor.id,
        last ? { ...last, ...this.describe(descriptor) } : this.pending(descriptor),
      );
    }
  }

  list(): CheckState[] {
    return this.options.host
      .checks()
      .map((descriptor) => this.states.get(descriptor.id) ?? this.pending(descriptor));
  }

  get(id: string): CheckState | undefined {
    return this.states.get(id);
  }

  /** Runs the given checks (and what they depend on), or all; resolves with the finished states. */
  async run(ids?: readonly string[], options: RunOptions = {}): Promise<CheckState[]> {
    if (this.closedReason !== undefined) throw new EngineClosedError(this.closedReason);
    this.activeRuns++;
    try {
      return await this.runPlanned(ids, options.signal);
    } finally {
      this.activeRuns--;
      this.settleIdle();
    }
  }

  /**
   * Stops every running check now (each ends as ERROR with `reason`, which is not stored as its verdict)
   * and refuses new runs. The daemon calls this first when it stops.
   */
  cancelAll(reason: LocalizedText = engineText("cancel.stopping")): void {
    this.closedReason ??= localize(reason, "en");
    const error = new LocalizedError(reason);
    for (const scope of this.scopes) scope.abort(error);
    for (const entry of this.inflight.values()) entry.controller.abort(error);
  }

  /** Resolves once no run is in progress. */
  idle(): Promise<void> {
    if (this.activeRuns === 0 && this.inflight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private settleIdle(): void {
    if (this.activeRuns > 0 || this.inflight.size > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async runPlanned(ids: readonly string[] | undefined, signal: AbortSignal | undefined) {
    const known = new Set(this.options.host.checks().map((check) => check.id));
    const unknown = (ids ?? []).filter((id) => !known.has(id));
    if (unknown.length > 0) throw new UnknownCheckError(unknown);

    const plan = planRun(this.options.host.checks(), ids);
    for (const [id, reason] of plan.broken) {
      const descriptor = this.options.host.checks().find((check) => check.id === id) as CheckDescriptor;
      this.finish(descriptor, { status: "ERROR", summary: reason, facts: {} }, new Date());
    }
    const gatherScope = new AbortController();
    this.scopes.add(gatherScope);
    const stopGathering = () => gatherScope.abort(signal?.reason);
    signal?.addEventListener("abort", stopGathering, { once: true });
    const memo = new Map<string, Promise<unknown>>();
    const started = new Map<string, Promise<CheckState>>();
    const byId = new Map(plan.runnable.map((check) => [check.id, check]));
    const start = (descriptor: CheckDescriptor): Promise<CheckState> => {
      let promise = started.get(descriptor.id);
      if (!promise) {
        const dependencies = descriptor.dependsOn.map((id) => start(byId.get(id) as CheckDescriptor));
        promise = Promise.all(dependencies).then(() =>
          this.execute(descriptor, memo, gatherScope.signal, signal),
        );
        started.set(descriptor.id, promise);
      }
      return promise;
    };
    try {
      await Promise.all(plan.runnable.map(start));
    } finally {
      signal?.removeEventListener("abort", stopGathering);
      gatherScope.abort(new Error("diagnosis finished"));
      this.scopes.delete(gatherScope);
    }
    const wanted = ids ? new Set(ids) : undefined;
    return this.list().filter((state) => !wanted || wanted.has(state.id));
  }

  private execute(
    descriptor: CheckDescriptor,
    memo: Map<string, Promise<unknown>>,
    scope: AbortSignal,
    requester: AbortSignal | undefined,
  ): Promise<CheckState> {
    // The same check asked for twice at once runs once; both callers get that result.
    let entry = this.inflight.get(descriptor.id);
    if (!entry && requester?.aborted) {
      // Nobody is left to read the result: do not start it.
      return Promise.resolve(this.finishCancelled(descriptor, cancelledBy(requester), new Date()));
    }
    if (!entry) {
      const controller = new AbortController();
      if (this.closedReason !== undefined) controller.abort(new Error(this.closedReason));
      const promise = this.executeOnce(descriptor, memo, scope, controller.signal).finally(() => {
        this.inflight.delete(descriptor.id);
        this.settleIdle();
      });
      entry = { promise, controller, waiters: new Set() };
      this.inflight.set(descriptor.id, entry);
    }
    this.addWaiter(entry, requester);
    return entry.promise;
  }

  /** Stops a shared check only when every run that waits for it has gone away. */
  private addWaiter(entry: Inflight, requester: AbortSignal | undefined): void {
    if (!requester) {
      entry.waiters.add("unconditional");
      return;
    }
    if (requester.aborted) return;
    entry.waiters.add(requester);
    const leave = () => {
      entry.waiters.delete(requester);
      if (entry.waiters.size === 0) entry.controller.abort(cancelledBy(requester));
    };
    requester.addEventListener("abort", leave, { once: true });
    void entry.promise.finally(() => requester.removeEventListener("abort", leave));
  }

  private async executeOnce(
    descriptor: CheckDescriptor,
    memo: Map<string, Promise<unknown>>,
    scope: AbortSignal,
    cancel: AbortSignal,
  ): Promise<CheckState> {
    const startedAt = new Date();
    if (descriptor.platforms && !runsOn(descriptor.platforms, this.options.platform)) {
      return this.finish(
        descriptor,
        {
          status: "SKIP",
          summary: engineText("platforms.only", { platforms: descriptor.platforms.join(", ") }),
          facts: {},
        },
        startedAt,
      );
    }
    this.publish({ ...this.current(descriptor), status: "RUNNING", startedAt: startedAt.toISOString() });
    const resolved = await this.options.host.resolveCheck(descriptor.id);
    if ("error" in resolved)
      return this.finish(descriptor, { status: "ERROR", summary: resolved.error, facts: {} }, startedAt);
    if (cancel.aborted) return this.finishCancelled(descriptor, cancel, startedAt);
    const outcome = await this.invoke(descriptor, resolved.implementation, memo, scope, cancel);
    if (outcome === CANCELLED) return this.finishCancelled(descriptor, cancel, startedAt);
    return this.finish(descriptor, outcome, startedAt);
  }

  private async invoke(
    descriptor: CheckDescriptor,
    implementation: CheckImplementation,
    memo: Map<string, Promise<unknown>>,
    scope: AbortSignal,
    cancel: AbortSignal,
  ): Promise<Pick<CheckState, "status" | "summary" | "facts" | "guidance" | "remedies"> | typeof CANCELLED> {
    const controller = new AbortController();
    const logger = this.options.logger({ check: descriptor.id });
    const services = this.options.services;
    const gather = <T>(id: string): Promise<T> => this.gather<T>(id, memo, scope, services, logger);
    const context: CheckRunContext = {
      signal: controller.signal,
      logger,
      services,
      gather,
      dependency: (id) => (descriptor.dependsOn.includes(id) ? this.states.get(id) : undefined),
    };
    try {
      // A cancelled check ends at once, whether or not its code honours the signal.
      const result = await withDeadline(() => implementation.run(context), descriptor.timeoutMs, {
        signal: cancel,
      });
      if (result === ABORTED) {
        controller.abort(cancel.reason);
        return CANCELLED;
      }
      if (result === TIMED_OUT) {
        controller.abort(new Error(`timed out after ${descriptor.timeoutMs} ms`));
        return {
          status: "ERROR",
          summary: engineText("timeout", { ms: descriptor.timeoutMs }),
          facts: { timeoutMs: descriptor.timeoutMs },
        };
      }
      if (!isCheckResult(result)) return invalidResult(resultProblem(result) ?? "");
      return {
        status: result.status,
        summary: result.summary,
        facts: result.facts ?? {},
        ...(result.guidance ? { guidance: result.guidance } : {}),
        ...(result.remedies ? { remedies: result.remedies } : {}),
      };
    } catch (error) {
      // Found where the check ran (a plugin's own process): the same ERROR as a bad result found here.
      if (error instanceof InvalidResultError) return invalidResult(error.problem);
      logger.warn("check threw", { error: describeError(error) });
      return { status: "ERROR", summary: engineText("crashed", { reason: errorText(error) }), facts: {} };
    } finally {
      if (!controller.signal.aborted) controller.abort(new Error("check finished"));
    }
  }

  private gather<T>(
    id: string,
    memo: Map<string, Promise<unknown>>,
    scope: AbortSignal,
    services: ServiceAccessor,
    logger: Logger,
  ): Promise<T> {
    let promise = memo.get(id);
    if (!promise) {
      promise = (async () => {
        // Starts the plugin that declares the gatherer (`onGatherer:<id>`) if it is not running yet.
        const resolved = await this.options.host.resolveGatherer(id);
        if ("error" in resolved) throw new LocalizedError(resolved.error);
        const { gatherer } = resolved;
        const context: GatherContext = {
          signal: scope,
          logger,
          services,
          gather: (next) => this.gather(next, memo, scope, services, logger),
        };
        return gatherer.gather(context);
      })();
      memo.set(id, promise);
    }
    return promise as Promise<T>;
  }

  /** Applies a remedy the check offered in its latest result, then re-runs the check. */
  async applyRemedy(checkId: string, remedyId: string): Promise<RemedyResult> {
    const state = this.states.get(checkId);
    if (!state) throw new UnknownCheckError([checkId]);
    const remedy = state.remedies?.find((candidate) => candidate.id === remedyId);
    if (!remedy)
      return {
        ok: false,
        message: engineText("remedy.not-offered", { check: checkId, remedy: remedyId }),
      };
    if (remedy.requiresRoot && !this.options.isPrivileged) {
      return {
        ok: false,
        message: remedy.commands?.length
          ? engineText("remedy.needs-root.by-hand", {
              remedy: remedyId,
              commands: remedy.commands.join(" && "),
            })
          : engineText("remedy.needs-root", { remedy: remedyId }),
      };
    }
    const resolved = await this.options.host.resolveCheck(checkId);
    if ("error" in resolved) return { ok: false, message: resolved.error };
    const apply = resolved.implementation.applyRemedy;
    if (!apply) return { ok: false, message: engineText("remedy.cannot-apply", { check: checkId }) };
    const controller = new AbortController();
    const limit = this.options.remedyTimeoutMs ?? 60_000;
    const timer = setTimeout(() => controller.abort(new Error(`remedy timed out after ${limit} ms`)), limit);
    let outcome: RemedyOutcome;
    try {
      outcome = await apply.call(resolved.implementation, remedyId, {
        signal: controller.signal,
        logger: this.options.logger({ check: checkId, remedy: remedyId }),
        services: this.options.services,
      });
    } catch (error) {
      outcome = { ok: false, message: engineText("remedy.failed", { reason: errorText(error) }) };
    } finally {
      clearTimeout(timer);
    }
    const [check] = await this.run([checkId]).then((states) => states.filter((s) => s.id === checkId));
    return { ...outcome, ...(check ? { check } : {}) };
  }

  private describe(descriptor: CheckDescriptor) {
    return {
      id: descriptor.id,
      title: descriptor.title,
      category: descriptor.category,
      dependsOn: descriptor.dependsOn,
      extensionId: descriptor.extensionId,
    };
  }

  private pending(descriptor: CheckDescriptor): CheckState {
    return { ...this.describe(descriptor), status: "PENDING", summary: engineText("pending"), facts: {} };
  }

  private current(descriptor: CheckDescriptor): CheckState {
    return this.states.get(descriptor.id) ?? this.pending(descriptor);
  }

  private finish(
    descriptor: CheckDescriptor,
    outcome: { status: CheckStatus; summary: LocalizedText } & Partial<CheckState>,
    startedAt: Date,
    persist = true,
  ): CheckState {
    const finishedAt = new Date();
    const state: CheckState = {
      ...this.describe(descriptor),
      facts: {},
      ...outcome,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
    };
    if (persist) this.record(state);
    this.publish(state);
    return state;
  }

  private record(state: CheckState): void {
    try {
      this.options.store.recordFinished(state);
    } catch (error) {
      // The verdict still reaches the user; only its history is lost, and the log says so.
      this.options
        .logger({ check: state.id })
        .error("could not record result", { error: describeError(error) });
    }
  }

  /**
   * A cancelled check is shown as ERROR with the reason, but the store keeps its last real verdict: a
   * restart must not greet the user with "cancelled" instead of what their network looked like.
   */
  private finishCancelled(
    descriptor: CheckDescriptor,
    cancel: AbortSignal | Error,
    startedAt: Date,
  ): CheckState {
    const reason = errorText(
      cancel instanceof Error ? cancel : (cancel.reason ?? new LocalizedError(engineText("cancel.default"))),
    );
    return this.finish(
      descriptor,
      { status: "ERROR", summary: engineText("cancelled", { reason }), facts: { cancelled: true } },
      startedAt,
      false,
    );
  }

  private publish(state: CheckState): void {
    this.states.set(state.id, state);
    this.options.bus.publish("check.updated", state);
  }
}
