import type { AutostunConfig } from "@autostun/config";
import {
  type ChangedKey,
  ConfigError,
  type ConfigProblem,
  changedKeys,
  effectiveConfig,
} from "@autostun/config";
import type { LocalizedText, Logger } from "@autostun/plugins-api";
import { ReloadRefused, type TunnelChanges } from "@autostun/tunnels";
import { reloadText } from "./reload-messages.js";

export type ReloadStatus = "APPLIED" | "UNCHANGED" | "REFUSED";

/** What one reload did, as `Mutation.reloadConfig` answers and the log records. */
export interface ReloadResult {
  status: ReloadStatus;
  /** The file read, or undefined when the daemon runs on embedded defaults and the environment. */
  file: string | undefined;
  /** Why it was refused: each with its key and where it was set, as config errors say at start. */
  problems: ConfigProblem[];
  /** Keys whose new value is in effect now. */
  applied: string[];
  /** Keys that changed but keep their old value until AutoSTUN restarts. */
  needsRestart: string[];
  tunnels: TunnelChanges;
  message: LocalizedText;
  at: Date;
}

/** Everything besides the tunnels that a reload changes in the running daemon. */
export interface ReloadTargets {
  /** Tunnels, ban-list file, GeoIP, the home router's mappings; throws ReloadRefused having changed nothing. */
  relay(next: AutostunConfig): Promise<TunnelChanges>;
  checkSchedule(checks: AutostunConfig["checks"]): void;
  stunServers(stun: AutostunConfig["stun"]): void;
  corsOrigins(origins: readonly string[]): void;
  logLevel(level: AutostunConfig["log"]["level"]): void;
}

export interface ReloaderOptions {
  /** The config object the daemon's parts hold; updated in place once a reload is applied. */
  live: AutostunConfig;
  /** Reads the config again the way the daemon was started (file, environment, flags); throws ConfigError. */
  load?: () => AutostunConfig;
  /** The config file `load` reads, for messages; undefined with embedded defaults. */
  file?: string;
  targets: ReloadTargets;
  logger: Logger;
}

const NO_TUNNEL_CHANGES: TunnelChanges = { started: [], stopped: [], restarted: [], unchanged: [] };

/**
 * Re-reads the config on SIGHUP or `Mutation.reloadConfig` and applies what changed. A config that does
 * not load, or names a tunnel or GeoIP file the relay refuses, changes nothing: the old one keeps running
 * and the answer says why. Reloads run one at a time.
 */
export class ConfigReloader {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ReloaderOptions) {}

  reload(trigger: "SIGHUP" | "api"): Promise<ReloadResult> {
    const run = this.queue.then(() => this.reloadNow(trigger));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async reloadNow(trigger: string): Promise<ReloadResult> {
    const { live, load, logger, file } = this.options;
    if (!load) return this.refused(undefined, [], reloadText("no-source"), trigger);
    let next: AutostunConfig;
    try {
      next = load();
    } catch (error) {
      const problems =
        error instanceof ConfigError
          ? error.problems
          : [{ key: "(file)", source: "-", message: error instanceof Error ? error.message : String(error) }];
      return this.refused(file, problems, undefined, trigger);
    }
    const where = file ?? reloadText("embedded");
    const changed = changedKeys(live, next);
    if (changed.length === 0) {
      const result = this.result(
        "UNCHANGED",
        file,
        [],
        NO_TUNNEL_CHANGES,
        reloadText("unchanged", { file: where }),
      );
      logger.info("configuration reloaded: no changes", { trigger, file });
      return result;
    }
    const effective = effectiveConfig(live, next, changed);
    let tunnels: TunnelChanges;
    try {
      tunnels = await this.options.targets.relay(effective);
    } catch (error) {
      if (!(error instanceof ReloadRefused)) throw error;
      return this.refused(
        file,
        [{ key: error.key, source: file ?? "-", message: error.message }],
        undefined,
        trigger,
      );
    }
    this.applyRest(live, effective, changed);
    Object.assign(live, effective);
    const result = this.result("APPLIED", file, changed, tunnels, reloadText("applied", { file: where }));
    logger.info("configuration reloaded", {
      trigger,
      file,
      applied: result.applied,
      needsRestart: result.needsRestart,
      tunnels,
    });
    if (result.needsRestart.length > 0)
      logger.warn("these keys changed but apply only after a restart", { keys: result.needsRestart });
    return result;
  }

  private applyRest(live: AutostunConfig, next: AutostunConfig, changed: readonly ChangedKey[]): void {
    const { targets } = this.options;
    const has = (key: string) => changed.some((c) => c.key === key && c.effect === "applies");
    if (has("stun.udp") || has("stun.tcp")) targets.stunServers(next.stun);
    if (has("checks.intervalSeconds") || has("checks.runOnStart")) targets.checkSchedule(next.checks);
    if (has("api.corsOrigins")) targets.corsOrigins(next.api.corsOrigins);
    if (has("log.level") && next.log.level !== live.log.level) targets.logLevel(next.log.level);
  }

  private result(
    status: ReloadStatus,
    file: string | undefined,
    changed: readonly ChangedKey[],
    tunnels: TunnelChanges,
    message: LocalizedText,
  ): ReloadResult {
    return {
      status,
      file,
      problems: [],
      applied: changed.filter((c) => c.effect === "applies").map((c) => c.key),
      needsRestart: changed.filter((c) => c.effect === "restart").map((c) => c.key),
      tunnels,
      message,
      at: new Date(),
    };
  }

  private refused(
    file: string | undefined,
    problems: ConfigProblem[],
    message: LocalizedText | undefined,
    trigger: string,
  ): ReloadResult {
    const listed = problems.map((p) => `${p.key} (${p.source}): ${p.message}`).join("; ");
    const text =
      message ?? reloadText("refused", { file: file ?? reloadText("embedded"), problems: listed || "-" });
    this.options.logger.error("configuration reload refused; the previous configuration keeps running", {
      trigger,
      file,
      problems,
    });
    return { ...this.result("REFUSED", file, [], NO_TUNNEL_CHANGES, text), problems };
  }
}
