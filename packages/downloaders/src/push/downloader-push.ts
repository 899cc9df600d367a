import { setTimeout as sleep } from "node:timers/promises";
import {
  type DownloaderAdapter,
  DownloaderError,
  isDownloaderError,
  type Logger,
} from "@autostun/plugins-api";
import { type CommandHook, runCommandHook } from "../hooks/command-hook.js";
import { redactUrlsIn } from "../http/redact-url.js";
import { acceptsConnections } from "./listening.js";
import { pushErrorText } from "./messages.js";
import {
  type DownloaderPushError,
  type DownloaderStatus,
  type DownloaderStatusError,
  idleDownloaderStatus,
} from "./push-status.js";

export interface PushRetry {
  initialMs: number;
  maxMs: number;
  /** Attempts per port before FAILED, for failures that may pass (client down, slow to bind). */
  maxAttempts: number;
}

export interface DownloaderPushOptions {
  kind: string;
  /** The configured URL; shown without credentials. */
  url: string;
  adapter: DownloaderAdapter;
  logger: Logger;
  /** The adapter was given an API key instead of a user name and password: a refusal names the key. */
  usesApiKey?: boolean;
  /** Where to test the port from this host; default the URL's host (the client runs there). */
  verifyHost?: string;
  /**
   * Run when the client takes the port on paper but does not listen on it (aria2): it restarts the
   * client with `AUTOSTUN_LISTEN_PORT` in its environment, and the port is checked again.
   */
  restartHook?: CommandHook;
  retry?: Partial<PushRetry>;
  /** How often to look for the listener after a change (clients bind a moment after answering). */
  verifyTries?: number;
  verifyIntervalMs?: number;
  onStatus?(status: DownloaderStatus): void;
  /** Replaced in unit tests; default a TCP connect. */
  probe?(host: string, port: number, signal: AbortSignal): Promise<boolean>;
}

const RETRY_DEFAULTS: PushRetry = { initialMs: 2_000, maxMs: 120_000, maxAttempts: 8 };

/** Failures that stay until the user changes something: retrying only hammers the client's login. */
const FINAL_KINDS = new Set<string>(["CREDENTIALS_REFUSED", "UNSUPPORTED"]);

/** The failure as the tunnel shows and logs it: adapters and libraries write whole URLs into messages. */
function asPushError(error: unknown): DownloaderPushError {
  if (isDownloaderError(error)) return { kind: error.kind, message: redactUrlsIn(error.message) };
  return { kind: "OTHER", message: redactUrlsIn(error instanceof Error ? error.message : String(error)) };
}

/**
 * Tells one downloader the port to listen on and proves it took: sets it, reads it back, connects to it
 * from this host, restarts the client through the hook when it ignored the change, then asks for a
 * re-announce. Failures that may pass are retried with back-off; a new port cancels the old push.
 */
export class DownloaderPush {
  private current: DownloaderStatus;
  private run: AbortController | undefined;
  private readonly retry: PushRetry;

  constructor(private readonly options: DownloaderPushOptions) {
    this.retry = { ...RETRY_DEFAULTS, ...options.retry };
    this.current = idleDownloaderStatus(options.kind, options.url);
  }

  status(): DownloaderStatus {
    return { ...this.current };
  }

  /** Pushes `port` until it is verified or cannot be; resolves with the status it ended in. */
  async push(port: number): Promise<DownloaderStatus> {
    this.run?.abort(new Error(`superseded by a push of port ${port}`));
    const run = new AbortController();
    this.run = run;
    this.update({
      state: "PUSHING",
      requestedPort: port,
      attempts: 0,
      error: undefined,
      nextRetryAt: undefined,
    });
    for (let attempt = 1; ; attempt++) {
      this.update({ attempts: attempt, lastPushAt: new Date() });
      let problem: DownloaderPushError;
      try {
        await this.attempt(port, run.signal);
        this.update({ state: "VERIFIED", verifiedPort: port, error: undefined, nextRetryAt: undefined });
        this.options.logger.info("downloader took the port", {
          kind: this.options.kind,
          url: this.current.url,
          port,
        });
        return this.status();
      } catch (error) {
        if (run.signal.aborted) return this.status();
        problem = asPushError(error);
      }
      const final = FINAL_KINDS.has(problem.kind) || attempt >= this.retry.maxAttempts;
      this.options.logger.warn("downloader push failed", {
        kind: this.options.kind,
        url: this.current.url,
        port,
        attempt,
        error: `${problem.kind}: ${problem.message}`,
      });
      if (final) {
        this.update({ state: "FAILED", error: this.shown(problem, port), nextRetryAt: undefined });
        return this.status();
      }
      const delay = Math.min(this.retry.maxMs, this.retry.initialMs * 2 ** (attempt - 1));
      this.update({
        state: "RETRYING",
        error: this.shown(problem, port),
        nextRetryAt: new Date(Date.now() + delay),
      });
      try {
        await sleep(delay, undefined, { signal: run.signal });
      } catch {
        return this.status();
      }
      this.update({ state: "PUSHING" });
    }
  }

  /** Stops a push in progress (the tunnel stopped); the adapter is the owner's to dispose. */
  cancel(): void {
    this.run?.abort(new Error("the push was cancelled"));
  }

  private async attempt(port: number, signal: AbortSignal): Promise<void> {
    const { adapter } = this.options;
    await adapter.setListenPort(port, { signal });
    let problem = await this.notTaken(port, signal);
    if (problem && this.options.restartHook) {
      const outcome = await runCommandHook(this.options.restartHook, { AUTOSTUN_LISTEN_PORT: String(port) });
      if (!outcome.ok)
        throw new DownloaderError("IGNORED_CHANGE", `${problem}; the restart hook failed: ${outcome.error}`);
      problem = await this.notTaken(port, signal);
      if (problem) problem += " even after the restart hook ran";
    }
    if (problem) throw new DownloaderError("IGNORED_CHANGE", problem);
    await this.reannounce(signal);
  }

  /** Why the client has not taken `port`, or undefined when it reports it and listens on it. */
  private async notTaken(port: number, signal: AbortSignal): Promise<string | undefined> {
    const host = this.options.verifyHost ?? new URL(this.options.url).hostname.replace(/^\[|\]$/g, "");
    const probe = this.options.probe ?? acceptsConnections;
    const tries = this.options.verifyTries ?? 10;
    // The setting is there as soon as the call returns; only binding the socket may take a moment.
    const reported = await this.options.adapter.getListenPort({ signal });
    if (reported !== port)
      return `${this.options.kind} answered OK but still reports port ${reported}, not ${port}`;
    for (let i = 0; i < tries; i++) {
      if (i > 0) await sleep(this.options.verifyIntervalMs ?? 500, undefined, { signal });
      if (await probe(host, port, signal)) return undefined;
    }
    return `${this.options.kind} reports port ${port}, but nothing accepts connections on ${host}:${port}`;
  }

  private async reannounce(signal: AbortSignal): Promise<void> {
    const { adapter, logger, kind } = this.options;
    if (!adapter.reannounce) return;
    try {
      await adapter.reannounce({ signal });
    } catch (error) {
      // The port is in place; trackers learn it at their next interval anyway.
      if (!isDownloaderError(error) || error.kind !== "UNSUPPORTED")
        logger.warn("re-announce failed", { kind, url: this.current.url, error: asPushError(error).message });
    }
  }

  private shown(problem: DownloaderPushError, port: number): DownloaderStatusError {
    const summary = pushErrorText(problem, {
      kind: this.options.kind,
      url: this.current.url,
      port,
      usesApiKey: this.options.usesApiKey ?? false,
    });
    return { ...problem, summary };
  }

  private update(change: Partial<DownloaderStatus>): void {
    this.current = { ...this.current, ...change };
    this.options.onStatus?.(this.status());
  }
}
