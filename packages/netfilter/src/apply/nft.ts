import type { CommandRunner } from "@autostun/plugins-api";
import { type ElementSpec, elementsScript } from "../build/elements.js";
import { removeTableScript, type TableSpec, tableScript } from "../build/table-script.js";
import { parseRuleset } from "../ruleset/parse.js";
import type { NftRuleset, SetRef, TableRef } from "../ruleset/types.js";
import { NftError } from "./nft-error.js";

/** Options every call takes: the run's signal and a limit per nft run. */
export interface NftCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Talks to nftables through a {@link CommandRunner}, so a test can point it at a network namespace
 * (`createCommandRunner({ netns })`) and the daemon at the host. Every change is one `nft -f` transaction.
 */
export class Nftables {
  constructor(private readonly runner: CommandRunner) {}

  /** The whole ruleset, parsed. */
  async listRuleset(options: NftCallOptions = {}): Promise<NftRuleset> {
    return parseRuleset(await this.nft(["-j", "list", "ruleset"], "reading the nftables ruleset", options));
  }

  /** One table, parsed; undefined when it does not exist. */
  async listTable(table: TableRef, options: NftCallOptions = {}): Promise<NftRuleset | undefined> {
    const result = await this.runner.run("nft", ["-j", "list", "table", table.family, table.name], {
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (result.exitCode !== 0 && /No such file or directory/.test(result.stderr)) return undefined;
    return parseRuleset(this.check(result, `reading table ${table.family} ${table.name}`));
  }

  /** Creates or replaces our own table with exactly `spec`, atomically. */
  async applyTable(spec: TableSpec, options: NftCallOptions = {}): Promise<void> {
    const { family, name } = spec.table;
    await this.load(tableScript(spec), `loading table ${family} ${name}`, options);
  }

  /** Deletes our own table; nothing happens when it is not there. */
  async removeTable(table: TableRef, options: NftCallOptions = {}): Promise<void> {
    await this.load(removeTableScript(table), `removing table ${table.family} ${table.name}`, options);
  }

  /** Adds addresses (each with an optional timeout) to a set; all or none are added. */
  async addElements(set: SetRef, elements: readonly ElementSpec[], options: NftCallOptions = {}) {
    await this.load(elementsScript("add", set, elements), `adding to set ${set.name}`, options);
  }

  /** Removes addresses from a set; all or none are removed, and an absent one fails the whole call. */
  async removeElements(set: SetRef, elements: readonly ElementSpec[], options: NftCallOptions = {}) {
    await this.load(elementsScript("delete", set, elements), `removing from set ${set.name}`, options);
  }

  /** Loads any nft script in one transaction. */
  async load(script: string, action: string, options: NftCallOptions = {}): Promise<void> {
    await this.nft(["-f", "-"], action, options, script);
  }

  private async nft(args: string[], action: string, options: NftCallOptions, input?: string) {
    const result = await this.runner.run("nft", args, {
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(input === undefined ? {} : { input }),
    });
    return this.check(result, action);
  }

  private check(result: Awaited<ReturnType<CommandRunner["run"]>>, action: string): string {
    if (result.error) throw new NftError(action, result.error);
    if (result.exitCode !== 0)
      throw new NftError(action, result.stderr.trim() || `nft exited with ${result.exitCode}`);
    return result.stdout;
  }
}
