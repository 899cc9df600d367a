import { elementsScript, Nftables, type NftRuleset, type TableRef, tableScript } from "@autostun/netfilter";
import type { CommandRunner, Logger } from "@autostun/plugins-api";
import { readRouteLocalnet, writeRouteLocalnet } from "./route-localnet.js";
import { LOCALNET_GUARD_CHAIN, localnetGuard, type TunnelRulesInput, tunnelRules } from "./tunnel-rules.js";

/** The table every nftables tunnel of one daemon lives in. Fixed, so a leftover is always found. */
export const AUTOSTUN_TABLE: TableRef = { family: "inet", name: "autostun" };

export type TunnelEntry = Omit<TunnelRulesInput, "counts">;

/** Kernel counts of one tunnel. */
export interface TunnelCounts {
  handled: number;
  blocked: number;
  bytesIn: number;
  bytesOut: number;
}

/**
 * The daemon's own nftables table: each tunnel contributes chains, counters and a ban set, and every
 * change re-declares the whole table in one `nft -f` transaction. The first one therefore replaces
 * whatever a crashed run left; later ones carry the counters over. Calls are queued, so two tunnels
 * changing at once never interleave their transactions.
 */
export class NftablesTable {
  readonly table: TableRef;
  private readonly nft: Nftables;
  private readonly entries = new Map<string, TunnelEntry>();
  private queue: Promise<unknown> = Promise.resolve();
  private loaded = false;
  /** route_localnet before we turned it on; undefined while we have not touched it. */
  private localnetBefore: string | undefined;

  constructor(
    private readonly runner: CommandRunner,
    private readonly logger?: Logger,
    table: TableRef = AUTOSTUN_TABLE,
  ) {
    this.table = table;
    this.nft = new Nftables(runner);
  }

  /** Adds or replaces one tunnel's part, atomically with the rest of the table. */
  put(id: string, entry: TunnelEntry): Promise<void> {
    return this.serial(async () => {
      const before = this.entries.get(id);
      this.entries.set(id, entry);
      try {
        await this.load();
      } catch (error) {
        if (before) this.entries.set(id, before);
        else this.entries.delete(id);
        throw error;
      }
    });
  }

  /** Takes one tunnel out; the last one out removes the table and puts route_localnet back. */
  drop(id: string): Promise<void> {
    return this.serial(async () => {
      if (!this.entries.delete(id) && this.entries.size > 0) return;
      if (this.entries.size > 0) {
        await this.load();
        return;
      }
      await this.nft.removeTable(this.table);
      this.loaded = false;
      await this.restoreLocalnet();
    });
  }

  /** Adds elements to a tunnel's ban set without rebuilding anything. */
  addBanElements(id: string, elements: { address: string; timeoutSeconds?: number }[]): Promise<void> {
    return this.serial(async () => {
      const entry = this.entries.get(id);
      if (!entry || !this.loaded) return;
      await this.nft.load(
        elementsScript("add", { table: this.table, name: entry.names.banSet }, elements),
        `banning in ${entry.names.banSet}`,
      );
    });
  }

  /** Removes elements; one the kernel already expired is not an error. */
  removeBanElement(id: string, address: string): Promise<void> {
    return this.serial(async () => {
      const entry = this.entries.get(id);
      if (!entry || !this.loaded) return;
      const set = { table: this.table, name: entry.names.banSet };
      try {
        await this.nft.removeElements(set, [{ address }]);
      } catch (error) {
        if (!/No such file or directory/.test(String(error))) throw error;
      }
    });
  }

  /** What the kernel counted for one tunnel, read from `nft -j list table`. */
  async counts(id: string): Promise<TunnelCounts> {
    const entry = this.entries.get(id);
    const listed = entry && this.loaded ? await this.nft.listTable(this.table) : undefined;
    const read = (name: string | undefined, field: "packets" | "bytes") =>
      listed?.counters.find((c) => c.name === name)?.[field] ?? 0;
    return {
      handled: read(entry?.names.handled, "packets"),
      blocked: read(entry?.names.blocked, "packets"),
      bytesIn: read(entry?.names.bytesIn, "bytes"),
      bytesOut: read(entry?.names.bytesOut, "bytes"),
    };
  }

  private async load(): Promise<void> {
    const current = this.loaded ? await this.nft.listTable(this.table) : undefined;
    if (!this.loaded) await this.takeOverLeftover();
    const counts = new Map<string, { packets: number; bytes: number }>();
    for (const counter of current?.counters ?? []) counts.set(counter.name, counter);
    const parts = [...this.entries.values()].map((entry) => tunnelRules({ ...entry, counts }));
    const needsLocalnet = [...this.entries.values()].some(
      (e) => e.destination.kind === "dnat" && e.destination.ip.startsWith("127."),
    );
    if (needsLocalnet && this.localnetBefore === undefined) {
      this.localnetBefore = await readRouteLocalnet(this.runner);
    }
    const script = tableScript({
      table: this.table,
      counters: parts.flatMap((p) => p.counters),
      sets: parts.flatMap((p) => p.sets),
      chains: [
        ...parts.flatMap((p) => p.chains),
        ...(this.localnetBefore !== undefined ? [localnetGuard(this.localnetBefore)] : []),
      ],
    });
    await this.nft.load(script, `loading table ${this.table.family} ${this.table.name}`);
    this.loaded = true;
    // Only now, with the guard chain in place, is it safe to let 127/8 be routed from outside.
    if (needsLocalnet && this.localnetBefore !== "1") await writeRouteLocalnet(this.runner, "1");
  }

  /** A table left by a crashed run: learn from its guard what route_localnet was before it. */
  private async takeOverLeftover(): Promise<void> {
    let leftover: NftRuleset | undefined;
    try {
      leftover = await this.nft.listTable(this.table);
    } catch {
      return; // unreadable is handled by the load that follows, which reports nft's own words
    }
    if (!leftover) return;
    const guard = leftover.rules.find((r) => r.chain === LOCALNET_GUARD_CHAIN);
    const before = /route_localnet was (\d+)/.exec(guard?.comment ?? "")?.[1];
    if (before !== undefined) this.localnetBefore = before;
    this.logger?.info(`nftables: replacing table ${this.table.name} left by an earlier run`, {
      chains: leftover.chains.length,
    });
  }

  private async restoreLocalnet(): Promise<void> {
    const before = this.localnetBefore;
    this.localnetBefore = undefined;
    if (before !== undefined && before !== "1") await writeRouteLocalnet(this.runner, before);
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => {});
    return run;
  }
}
