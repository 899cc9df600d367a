import { type FSWatcher, watch } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { type Disposable, type Logger, toDisposable } from "@autostun/plugins-api";
import { type BanFileProblem, parseBanFile } from "./ban-file.js";
import type { BanList, BanNotApplied } from "./ban-list.js";

export interface BanFileWatcherOptions {
  path: string;
  bans: BanList;
  logger?: Logger;
  /** Quiet time after the last change before reloading, in ms; editors write in several steps. */
  debounceMs?: number;
}

export interface BanFileLoad {
  /** False when the file is missing: its bans are lifted until it returns. */
  found: boolean;
  added: number;
  removed: number;
  total: number;
  problems: BanFileProblem[];
  /** Tunnels that could not apply the reload (logged too); the file's bans are kept in memory all the same. */
  notApplied: BanNotApplied[];
}

/**
 * Keeps a BanList in step with a ban-list file. It watches the folder, not the file: editors and
 * `mv new list` replace the file with another inode, which a watch on the file itself stops seeing.
 */
export class BanFileWatcher {
  readonly path: string;
  private readonly source: string;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastSeen = "";
  private reloading: Promise<BanFileLoad> | undefined;
  private stopped = false;
  private readonly listeners = new Set<(load: BanFileLoad) => void>();

  constructor(private readonly options: BanFileWatcherOptions) {
    this.path = resolve(options.path);
    this.source = `file:${this.path}`;
  }

  /** Loads the file once and starts watching. A missing file is a warning: it may be created later. */
  async start(): Promise<BanFileLoad> {
    const first = await this.reload();
    const name = basename(this.path);
    try {
      this.watcher = watch(dirname(this.path), { persistent: false }, (_event, changed) => {
        if (changed === null || changed === name) this.schedule();
      });
    } catch (error) {
      // Out of descriptors or inotify watches (EMFILE, ENOSPC): the bans just read still apply, and a
      // reload reads the file again; refusing to start over a missing watch would take every tunnel down.
      this.options.logger?.error(
        "cannot watch the ban-list file; its bans are loaded, but edits are picked up only at the next reload or restart",
        { path: this.path, error: (error as Error).message },
      );
      return first;
    }
    this.watcher.on("error", (error) =>
      this.options.logger?.error("ban-list file watch failed; edits are no longer picked up", {
        path: this.path,
        error: error.message,
      }),
    );
    return first;
  }

  /** Called after every reload, e.g. to publish problems or counts. */
  onReload(listener: (load: BanFileLoad) => void): Disposable {
    this.listeners.add(listener);
    return toDisposable(() => void this.listeners.delete(listener));
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    this.watcher = undefined;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Reads the file now and applies it; concurrent calls share one read. */
  reload(): Promise<BanFileLoad> {
    this.reloading ??= this.read().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.reloadIfChanged();
    }, this.options.debounceMs ?? 150);
    this.timer.unref();
  }

  private async reloadIfChanged(): Promise<void> {
    try {
      // Watchers fire for neighbours and for touches that change nothing.
      if ((await this.stamp()) === this.lastSeen) return;
      const load = await this.reload();
      for (const listener of this.listeners) listener(load);
      // That may have been a read already under way, begun before this edit (a reload waits for every
      // tunnel's nft run): look again, or the edit would wait for the file's next change.
      if (this.watcher && (await this.stamp()) !== this.lastSeen) this.schedule();
    } catch (error) {
      this.options.logger?.error("ban-list file reload failed; the previous bans stay", {
        path: this.path,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** What tells one version of the file from the next: inode, size and mtime, or "missing". */
  private async stamp(): Promise<string> {
    const info = await stat(this.path).catch(() => undefined);
    return info ? `${info.ino}:${info.size}:${info.mtimeMs}` : "missing";
  }

  /** The answer of a read that applied nothing because the watcher was stopped meanwhile. */
  private unapplied(found: boolean): BanFileLoad {
    return { found, added: 0, removed: 0, total: 0, problems: [], notApplied: [] };
  }

  private async read(): Promise<BanFileLoad> {
    const { bans, logger } = this.options;
    const info = await stat(this.path).catch(() => undefined);
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      if (this.stopped) return this.unapplied(false);
      this.lastSeen = "missing";
      const { removed, notApplied } = await bans.replaceSource(this.source, []);
      logger?.warn("ban-list file not found; its bans are lifted until it exists", {
        path: this.path,
        removed,
      });
      this.reportNotApplied(notApplied);
      return { found: false, added: 0, removed, total: 0, problems: [], notApplied };
    }
    // Stopped while reading (a reload swapped the ban-list file and lifted this one's bans): what was
    // read must not bring them back.
    if (this.stopped) return this.unapplied(true);
    this.lastSeen = info ? `${info.ino}:${info.size}:${info.mtimeMs}` : "";
    const parsed = parseBanFile(text, this.path);
    for (const problem of parsed.problems) {
      logger?.warn(`${problem.where}: ${problem.kept ? "" : "skipped: "}${problem.message}`, {
        path: this.path,
        line: problem.line,
      });
    }
    const { added, removed, notApplied } = await bans.replaceSource(this.source, parsed.bans);
    logger?.info("ban-list file loaded", { path: this.path, total: parsed.bans.length, added, removed });
    this.reportNotApplied(notApplied);
    return { found: true, added, removed, total: parsed.bans.length, problems: parsed.problems, notApplied };
  }

  private reportNotApplied(notApplied: readonly BanNotApplied[]): void {
    for (const { enforcer, error } of notApplied)
      this.options.logger?.error(`tunnel "${enforcer}" could not apply the ban-list file: ${error}`, {
        path: this.path,
      });
  }
}
