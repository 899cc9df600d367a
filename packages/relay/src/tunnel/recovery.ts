import type { Logger } from "@autostun/plugins-api";
import type { PublicAddress } from "../punch/stun-race.js";
import { type BackoffPolicy, retryDelay } from "./backoff.js";
import type { NetworkWatcher } from "./network.js";
import type { TunnelState } from "./types.js";

/**
 * How a tunnel (TCP) or a UDP mapping comes back after a loss, a failed attempt or a change of the
 * local network. The decisions are pure functions; `Recovery` holds the state they read (the run's
 * generation, failures and short sessions in a row, the retry timer) and calls its owner back for
 * the I/O: starting an attempt and entering a state.
 */

/** The part of a timing that recovery reads. */
export interface RecoveryTiming {
  backoff: BackoffPolicy;
  /** An open session lost sooner than this after opening backs off like a failure. */
  stableAfterMs: number;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function formatAddress(address: PublicAddress | undefined): string {
  return address ? `${address.ip}:${address.port}` : "(none)";
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** After a loss: re-punch at once (`delayMs` undefined) or wait, with the new count of short sessions. */
export interface LossPlan {
  shortSessions: number;
  delayMs: number | undefined;
}

/**
 * A session that lived `livedMs` was lost. A stable one re-punches at once and clears the count of
 * short sessions; one lost again soon after opening waits, longer with each such session in a row,
 * so a network that drops every mapping at once cannot make it re-punch as fast as it answers.
 */
export function planAfterLoss(
  livedMs: number,
  shortSessions: number,
  timing: RecoveryTiming,
  random: () => number,
): LossPlan {
  if (livedMs >= timing.stableAfterMs) return { shortSessions: 0, delayMs: undefined };
  const count = shortSessions + 1;
  return { shortSessions: count, delayMs: retryDelay(count, timing.backoff, random) };
}

/** How the RECOVERING reason names what broke and where the re-punch starts. */
export interface LossWording {
  /** "tunnel" or "mapping". */
  noun: string;
  /** Where a re-punch starts from, e.g. "local port 40000". */
  from: string;
}

/** The RECOVERING reason for a loss planned as `plan`. */
export function lossReason(reason: string, livedMs: number, plan: LossPlan, wording: LossWording): string {
  if (plan.delayMs === undefined) return `${reason}; re-punching from ${wording.from}`;
  return `${reason}; the ${wording.noun} was open only ${seconds(livedMs)}, re-punching in ${seconds(plan.delayMs)}`;
}

/** The FAILED reason for failure number `failures`, retried after `delayMs`. */
export function failureReason(why: string, failures: number, delayMs: number): string {
  return `${why}; retry ${failures} in ${seconds(delayMs)}`;
}

/**
 * The OPEN reason: where it opened and, after a loss, how long the recovery took and whether the
 * public address moved.
 */
export function openReason(
  where: string,
  previous: PublicAddress | undefined,
  current: PublicAddress | undefined,
  recoveredMs: number | undefined,
): string {
  if (recoveredMs === undefined) return `open at ${where}`;
  const moved =
    formatAddress(previous) === formatAddress(current)
      ? "public address unchanged"
      : `public address ${formatAddress(previous)} -> ${formatAddress(current)}`;
  return `recovered in ${seconds(recoveredMs)}, ${moved}: open at ${where}`;
}

/** What a change of the local addresses or routes calls for. */
export type NetworkChangeAction = "lose" | "retry-now" | "ignore";

/**
 * An open session may have lost its mapping with the old address or route; a failing one waiting
 * for its retry may have been waiting for just this network, so it retries at once.
 */
export function networkChangeAction(state: TunnelState, retryPending: boolean): NetworkChangeAction {
  if (state === "OPEN") return "lose";
  if (state === "FAILED" && retryPending) return "retry-now";
  return "ignore";
}

/** The counters a status shows about recoveries and retries. */
export interface RecoveryCounters {
  recoveryCount: number;
  lastRecoveryAt: Date | undefined;
  /** From noticing the loss to being open again, for the last recovery. */
  lastRecoveryMs: number | undefined;
  failedAttempts: number;
  nextRetryAt: Date | undefined;
}

/** The owner's I/O that recovery calls for. */
export interface RecoveryHooks {
  /** Start attempt `generation` now. */
  run(generation: number): void;
  /** Enter FAILED or RECOVERING with this reason. */
  enter(state: "FAILED" | "RECOVERING", reason: string): void;
  /** The open session of `generation` is lost because `reason` (the owner calls `lost` if it is). */
  lose(generation: number, reason: string): void;
}

/**
 * The recovery state of one tunnel or mapping. `generation` numbers each run: a stop, a loss or a
 * failure starts a new one, and callbacks of an older run (a late keep-alive error, a slow punch)
 * are ignored by checking `isCurrent`.
 */
export class Recovery {
  private current = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  /** Sessions in a row that broke before `stableAfterMs`; they grow the wait like failures do. */
  private shortSessions = 0;
  private retryAt: Date | undefined;
  private lostAt: number | undefined;
  private recoveries = 0;
  private lastRecovery: { at: Date; ms: number } | undefined;

  private readonly random: () => number;

  /** `random` is the source of retry jitter (default Math.random). */
  constructor(
    private readonly timing: RecoveryTiming,
    random: (() => number) | undefined,
    private readonly hooks: RecoveryHooks,
  ) {
    this.random = random ?? Math.random;
  }

  get generation(): number {
    return this.current;
  }

  isCurrent(generation: number): boolean {
    return generation === this.current;
  }

  /** Make every callback of the running generation stale; returns the new one. */
  supersede(): number {
    return ++this.current;
  }

  /** A fresh start: a new generation with no failures, short sessions or loss behind it. */
  begin(): number {
    this.failures = 0;
    this.shortSessions = 0;
    this.lostAt = undefined;
    return this.supersede();
  }

  get retryPending(): boolean {
    return this.retryTimer !== undefined;
  }

  get counters(): RecoveryCounters {
    return {
      recoveryCount: this.recoveries,
      lastRecoveryAt: this.lastRecovery?.at,
      lastRecoveryMs: this.lastRecovery?.ms,
      failedAttempts: this.failures,
      nextRetryAt: this.retryAt,
    };
  }

  cancelRetry(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.retryAt = undefined;
  }

  /** Attempt `generation` failed because `why`: FAILED, and retry it after a growing delay. */
  failed(generation: number, why: string): void {
    this.failures++;
    const delay = retryDelay(this.failures, this.timing.backoff, this.random);
    this.retryAt = new Date(Date.now() + delay);
    this.retryTimer = setTimeout(() => {
      if (this.isCurrent(generation)) this.hooks.run(generation);
    }, delay);
    this.hooks.enter("FAILED", failureReason(why, this.failures, delay));
  }

  /**
   * Attempt `generation` threw `error`: FAILED and retried later, unless a stop or a newer attempt
   * made it stale (then the error is only the attempt being cut short; an owner's "superseded"
   * error is always of this kind).
   */
  attemptFailed(generation: number, error: unknown): void {
    if (this.isCurrent(generation)) this.failed(generation, errorText(error));
  }

  /**
   * The open session (opened at `openedAt`) is lost because `reason`. Starts a new generation, lets
   * `release` close what the session held, enters RECOVERING and re-punches, at once or after a wait.
   */
  lost(reason: string, openedAt: number, wording: LossWording, release: () => void): void {
    const lived = Date.now() - openedAt;
    const next = this.supersede();
    release();
    this.cancelRetry();
    this.lostAt = Date.now();
    const plan = planAfterLoss(lived, this.shortSessions, this.timing, this.random);
    this.shortSessions = plan.shortSessions;
    const text = lossReason(reason, lived, plan, wording);
    if (plan.delayMs === undefined) {
      this.hooks.enter("RECOVERING", text);
      this.hooks.run(next);
      return;
    }
    this.retryAt = new Date(Date.now() + plan.delayMs);
    this.hooks.enter("RECOVERING", text);
    this.retryTimer = setTimeout(() => this.hooks.run(next), plan.delayMs);
  }

  /**
   * The local addresses or routes changed (`description` says how) while in `state`: an open
   * session is lost; a failing one waiting for its retry runs it now, after `announce`.
   */
  networkChanged(state: TunnelState, description: string, announce: () => void): void {
    const action = networkChangeAction(state, this.retryPending);
    if (action === "lose") this.hooks.lose(this.current, description);
    if (action !== "retry-now") return;
    announce();
    this.hooks.run(this.current);
  }

  /** An attempt opened at `now`: failures are over; returns how long the recovery took, after a loss. */
  opened(now: number): number | undefined {
    this.failures = 0;
    if (this.lostAt === undefined) return undefined;
    const ms = now - this.lostAt;
    this.lostAt = undefined;
    this.recoveries++;
    this.lastRecovery = { at: new Date(now), ms };
    return ms;
  }
}

/**
 * Watch the local addresses and default routes through `watch`, logging (prefixed with `label`, e.g.
 * `tunnel qb`) when they cannot be read or watched at all.
 */
export function watchNetwork(
  watch: (onChange: (description: string) => void, onError: (error: unknown) => void) => NetworkWatcher,
  label: string,
  logger: Logger,
  onChange: (description: string) => void,
): NetworkWatcher {
  const watcher = watch(onChange, (error) =>
    logger.warn(`${label}: cannot read the local network: ${errorText(error)}`),
  );
  watcher
    .start()
    .catch((error) =>
      logger.warn(`${label}: not watching local address or route changes: ${errorText(error)}`),
    );
  return watcher;
}
