import {
  elementText,
  Nftables,
  type NftRuleset,
  parseRuleset,
  type TableRef,
  tableScript,
} from "@autostun/netfilter";
import { type CommandRunner, type Disposable, type Logger, toDisposable } from "@autostun/plugins-api";
import {
  type BanSetElement,
  banElementSpec,
  elementFamily,
  isHostElement,
  networksOverlap,
} from "./ban-set-elements.js";
import type { HostBanDelta } from "./host-ban-changes.js";
import type { KernelStateFile } from "./kernel-state-file.js";
import { LocalnetScope, parseGuardComment } from "./localnet-scope.js";
import { peerInterfaces } from "./route-localnet.js";
import { LOCALNET_GUARD_CHAIN, localnetGuard, type TunnelRulesInput, tunnelRules } from "./tunnel-rules.js";

/** The table every nftables tunnel of one daemon lives in. Fixed, so a leftover is always found. */
export const AUTOSTUN_TABLE: TableRef = { family: "inet", name: "autostun" };

export type TunnelEntry = Omit<TunnelRulesInput, "counts" | "banElements" | "hostBanElements" | "ipv6"> & {
  /** The ban sets' elements, either family; their timeouts are counted when the table is written. */
  bans: readonly BanSetElement[];
  /**
   * The port of a downloader on this host that IPv6 peers reach at its own address: the IPv6 bans are
   * refused there. Absent: no IPv6 sets or rules, and IPv6 elements in `bans` are left out.
   */
  ipv6Port?: number;
  /**
   * Live connections and UDP flows one IPv6 /64 may hold at `ipv6Port` (the IPv4 limits' values).
   * Absent: no IPv6 limit.
   */
  ipv6MaxPerPrefix?: { tcp: number; udp: number };
};

/** Where the table keeps what it changed outside itself, and how it watches its rules. */
export interface NftablesTableOptions {
  /** Records route_localnet's previous values in dataDir, for the start after a crash. */
  stateFile?: KernelStateFile;
  /** How often the loaded table is checked for being still there (a ruleset flush), in ms; 0 = never. */
  checkIntervalMs?: number;
  /** The interfaces peers arrive on (default: those of the default routes). */
  interfaces?: () => Promise<string[]>;
}

/** A firewall reload often takes a few seconds; checking this often costs one `nft list` run. */
export const TABLE_CHECK_INTERVAL_MS = 3_000;

/** What one update of a tunnel's ban set did. */
export interface BanSetUpdate {
  /** False when the tunnel has no rules loaded (stopped, or not open yet): its next load carries the bans. */
  loaded: boolean;
  /** Networks newly in the set, whose live connections are to be cut. */
  added: string[];
  /** How many nft runs it took (0 or 1). */
  nftRuns: number;
}

/** Kernel counts of one tunnel. */
export interface TunnelCounts {
  /** TCP connections and UDP flows handed on. */
  handled: number;
  /** The UDP flows among them. */
  handledUdp: number;
  /** UDP's share of `blocked` (bans and the per-address limit), `bytesIn` and `bytesOut`. */
  blockedUdp: number;
  bytesInUdp: number;
  bytesOutUdp: number;
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
  /** Per tunnel, the hosts its set holds, for updates of hosts alone (see updateHosts). */
  private readonly heldHosts = new Map<
    string,
    { source: readonly BanSetElement[]; hosts: Map<string, BanSetElement>; ranges: BanSetElement[] }
  >();
  private queue: Promise<unknown> = Promise.resolve();
  private loaded = false;
  /** route_localnet where peers arrive, and what it was before we turned it on. */
  private readonly localnet: LocalnetScope;
  private watchTimer: NodeJS.Timeout | undefined;
  private checking = false;
  private readonly lostListeners = new Set<(error: Error) => void>();

  constructor(
    private readonly runner: CommandRunner,
    private readonly logger?: Logger,
    table: TableRef = AUTOSTUN_TABLE,
    private readonly options: NftablesTableOptions = {},
  ) {
    this.table = table;
    this.nft = new Nftables(runner);
    this.localnet = new LocalnetScope(runner, options.stateFile);
  }

  /**
   * Hears when the table vanished under us (a ruleset flush) and could not be loaded again: the
   * tunnels then say FAILED with nft's reason instead of showing OPEN while peers are refused.
   */
  onRulesLost(listener: (error: Error) => void): Disposable {
    this.lostListeners.add(listener);
    return toDisposable(() => void this.lostListeners.delete(listener));
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
      this.stopWatch();
      await this.nft.removeTable(this.table);
      this.loaded = false;
      await this.localnet.restore();
    });
  }

  /**
   * Brings a tunnel's ban set to `wanted()` (read once this call's turn in the queue comes, so a caller
   * that batches sees every change made while it waited) in one nft transaction, or none when nothing
   * changed. The set is only ever replaced whole-or-not-at-all, so there is no moment in which a network
   * banned before and after is let through.
   */
  updateBans(
    id: string,
    wanted: () => readonly BanSetElement[],
    hostDelta?: () => HostBanDelta | undefined,
  ): Promise<BanSetUpdate> {
    return this.serial(async () => {
      const entry = this.entries.get(id);
      if (!entry || !this.loaded) return { loaded: false, added: [], nftRuns: 0 };
      const delta = hostDelta?.();
      if (delta) return this.updateHosts(id, entry, delta);
      const next = wanted();
      const before = new Map(entry.bans.map((element) => [element.cidr, element.expiresAt]));
      const after = new Map(next.map((element) => [element.cidr, element.expiresAt]));
      const removed = [...before.keys()].filter((cidr) => !after.has(cidr));
      const added = next.filter((element) => before.get(element.cidr) !== element.expiresAt);
      if (removed.length === 0 && added.length === 0) return { loaded: true, added: [], nftRuns: 0 };
      const script = this.banSetScript(entry, next, removed, added, (cidr) => before.has(cidr));
      await this.nft.load(script, `updating ban set ${entry.names.banSet}`);
      this.entries.set(id, { ...entry, bans: next });
      return { loaded: true, added: added.map((element) => element.cidr), nftRuns: 1 };
    });
  }

  /**
   * Applies changes of single hosts only, without looking at the other bans: what makes one more ban
   * cheap at 50,000. The hosts the set holds are kept in a map beside the entry, rebuilt only when the
   * entry's list was replaced (a full update or a reload of the table).
   */
  private async updateHosts(id: string, entry: TunnelEntry, delta: HostBanDelta): Promise<BanSetUpdate> {
    let held = this.heldHosts.get(id);
    if (held?.source !== entry.bans) {
      const hosts = new Map<string, BanSetElement>();
      const ranges: BanSetElement[] = [];
      for (const element of entry.bans) {
        if (isHostElement(element.cidr)) hosts.set(element.cidr, element);
        else ranges.push(element);
      }
      held = { source: entry.bans, hosts, ranges };
      this.heldHosts.set(id, held);
    }
    const { hosts } = held;
    const added = delta.add.filter((element) => hosts.get(element.cidr)?.expiresAt !== element.expiresAt);
    const removed = delta.remove.filter((cidr) => hosts.has(cidr));
    if (removed.length === 0 && added.length === 0) return { loaded: true, added: [], nftRuns: 0 };
    const script = this.banSetScript(entry, [], removed, added, (cidr) => hosts.has(cidr));
    await this.nft.load(script, `updating ban set ${entry.names.hostBanSet}`);
    for (const cidr of removed) hosts.delete(cidr);
    for (const element of added) hosts.set(element.cidr, element);
    // A copy, not a recomputation: the table's next full write needs the list.
    const bans = [...held.ranges, ...hosts.values()];
    held.source = bans;
    this.entries.set(id, { ...entry, bans });
    return { loaded: true, added: added.map((element) => element.cidr), nftRuns: 1 };
  }

  /**
   * Removals and additions in one transaction, each in its set: single hosts in the hash set, ranges in
   * the interval set. nft checks a new interval against the set as the kernel holds it, not as the
   * transaction leaves it, so a range replaced by a wider or narrower one cannot be deleted and added in
   * one go: then the interval set (ranges only, a few as a rule) is flushed and written whole, still
   * atomically. A removal is written as add-then-delete, which does not fail when the kernel's timeout
   * took the element first; a changed timeout is a removal and an addition of the same network.
   */
  private banSetScript(
    entry: TunnelEntry,
    next: readonly BanSetElement[],
    removed: readonly string[],
    added: readonly BanSetElement[],
    held: (cidr: string) => boolean,
  ): string {
    const at = (name: string) => `${this.table.family} ${this.table.name} ${name}`;
    const now = Date.now();
    const list = (elements: readonly BanSetElement[]) => `{ ${bansText(elements, now).join(", ")} }`;
    const gone = [...removed, ...added.filter((e) => held(e.cidr)).map((e) => e.cidr)];
    const lines: string[] = [];
    const change = (set: string, goneHere: readonly string[], addedHere: readonly BanSetElement[]) => {
      if (goneHere.length) {
        const plain = list(goneHere.map((cidr) => ({ cidr, expiresAt: null })));
        lines.push(`add element ${set} ${plain}`, `delete element ${set} ${plain}`);
      }
      if (addedHere.length) lines.push(`add element ${set} ${list(addedHere)}`);
    };
    // IPv4 first, in its two sets exactly as before; IPv6 after it, in its own two.
    const families = entry.ipv6Port === undefined ? ([4] as const) : ([4, 6] as const);
    for (const family of families) {
      const hostSet = family === 4 ? entry.names.hostBanSet : entry.names.hostBanSet6;
      const rangeSet = family === 4 ? entry.names.banSet : entry.names.banSet6;
      const mine = (cidr: string) => elementFamily(cidr) === family;
      const goneHere = gone.filter(mine);
      const addedHere = added.filter((element) => mine(element.cidr));
      change(
        at(hostSet),
        goneHere.filter(isHostElement),
        addedHere.filter((element) => isHostElement(element.cidr)),
      );
      const goneRanges = goneHere.filter((cidr) => !isHostElement(cidr));
      const addedRanges = addedHere.filter((element) => !isHostElement(element.cidr));
      const reshaped = addedRanges.some((element) =>
        goneRanges.some((cidr) => cidr !== element.cidr && networksOverlap(cidr, element.cidr)),
      );
      if (reshaped) {
        const ranges = next.filter((element) => mine(element.cidr) && !isHostElement(element.cidr));
        lines.push(`flush set ${at(rangeSet)}`);
        if (ranges.length) lines.push(`add element ${at(rangeSet)} ${list(ranges)}`);
      } else change(at(rangeSet), goneRanges, addedRanges);
    }
    return `${lines.join("\n")}\n`;
  }

  /** What the kernel counted for one tunnel, read from `nft -j list table`. */
  async counts(id: string): Promise<TunnelCounts> {
    const entry = this.entries.get(id);
    const listed = entry && this.loaded ? await this.nft.listTable(this.table) : undefined;
    const read = (name: string | undefined, field: "packets" | "bytes") =>
      listed?.counters.find((c) => c.name === name)?.[field] ?? 0;
    // Peers refused by the IPv6 per-/64 limit count as blocked, in their protocol's share.
    const limitedUdp6 = read(entry?.names.udpLimited6, "packets");
    const limited6 = read(entry?.names.limited6, "packets") + limitedUdp6;
    return {
      handled: read(entry?.names.handled, "packets") + read(entry?.names.udpHandled, "packets"),
      handledUdp: read(entry?.names.udpHandled, "packets"),
      blocked: read(entry?.names.blocked, "packets") + read(entry?.names.udpBlocked, "packets") + limited6,
      bytesIn: read(entry?.names.bytesIn, "bytes") + read(entry?.names.udpBytesIn, "bytes"),
      bytesOut: read(entry?.names.bytesOut, "bytes") + read(entry?.names.udpBytesOut, "bytes"),
      blockedUdp: read(entry?.names.udpBlocked, "packets") + limitedUdp6,
      bytesInUdp: read(entry?.names.udpBytesIn, "bytes"),
      bytesOutUdp: read(entry?.names.udpBytesOut, "bytes"),
    };
  }

  private async load(): Promise<void> {
    const current = this.loaded ? await this.nft.listTable(this.table) : undefined;
    if (!this.loaded) await this.takeOverLeftover();
    const counts = new Map<string, { packets: number; bytes: number }>();
    for (const counter of current?.counters ?? []) counts.set(counter.name, counter);
    const now = Date.now();
    const parts = [...this.entries.values()].map(({ ipv6Port, ipv6MaxPerPrefix, ...entry }) => {
      const v4 = banSetTexts(
        entry.bans.filter((element) => elementFamily(element.cidr) === 4),
        now,
      );
      const ipv6 =
        ipv6Port === undefined
          ? undefined
          : {
              port: ipv6Port,
              ...banSetTexts(
                entry.bans.filter((element) => elementFamily(element.cidr) === 6),
                now,
              ),
              ...(ipv6MaxPerPrefix ? { maxPerPrefix: ipv6MaxPerPrefix } : {}),
            };
      return tunnelRules({ ...entry, ...v4, counts, ...(ipv6 ? { ipv6 } : {}) });
    });
    const needsLocalnet = [...this.entries.values()].some(
      (e) => !e.ipv6Only && e.destination.kind === "dnat" && e.destination.ip.startsWith("127."),
    );
    // Recorded (state file first) before the guard names them and long before any sysctl changes.
    if (needsLocalnet)
      await this.localnet.prepare(await (this.options.interfaces ?? (() => peerInterfaces(this.runner)))());
    const script = tableScript({
      table: this.table,
      counters: parts.flatMap((p) => p.counters),
      sets: parts.flatMap((p) => p.sets),
      chains: [
        ...parts.flatMap((p) => p.chains),
        ...(this.localnet.active ? [localnetGuard(this.localnet.describe())] : []),
      ],
    });
    await this.nft.load(script, `loading table ${this.table.family} ${this.table.name}`);
    this.loaded = true;
    // Only now, with the guard chain in place, is it safe to let 127/8 be routed from outside.
    if (needsLocalnet) await this.localnet.enable();
    this.startWatch();
  }

  private startWatch(): void {
    const every = this.options.checkIntervalMs ?? TABLE_CHECK_INTERVAL_MS;
    if (this.watchTimer || every <= 0) return;
    this.watchTimer = setInterval(() => {
      if (this.checking) return;
      this.checking = true;
      void this.serial(() => this.checkStillThere()).finally(() => {
        this.checking = false;
      });
    }, every);
    this.watchTimer.unref();
  }

  private stopWatch(): void {
    clearInterval(this.watchTimer);
    this.watchTimer = undefined;
  }

  /**
   * Someone flushed the ruleset (a firewall reload) or deleted our chains: with the guard gone,
   * route_localnet would open 127/8 to the LAN, so it goes back first; then the rules load again, and
   * when nft refuses, the tunnels hear why.
   */
  private async checkStillThere(): Promise<void> {
    if (!this.loaded || this.entries.size === 0) return;
    let present: Set<string>;
    try {
      // Chains only: listing the table would print every ban-set element, every few seconds.
      const result = await this.runner.run("nft", ["-j", "list", "chains", this.table.family], {
        timeoutMs: 10_000,
      });
      if (result.exitCode !== 0) return; // nft itself failing says nothing about the table; ask again later
      const chains = parseRuleset(result.stdout).chains.filter((chain) => chain.table === this.table.name);
      present = new Set(chains.map((chain) => chain.name));
    } catch {
      return;
    }
    const wanted = [...this.entries.values()].flatMap((e) =>
      e.ipv6Only ? [e.names.filterChain] : [e.names.filterChain, e.names.natChain],
    );
    if (this.localnet.active) wanted.push(LOCALNET_GUARD_CHAIN);
    const missing = wanted.filter((name) => !present.has(name));
    if (missing.length === 0) return;
    const what =
      present.size > 0
        ? `chains ${missing.join(", ")} of table ${this.table.name} are gone`
        : `table ${this.table.family} ${this.table.name} is gone`;
    this.logger?.warn(`nftables: ${what} (a firewall reload or nft flush ruleset?); loading the rules again`);
    try {
      await this.localnet.restore(true);
    } catch (error) {
      this.logger?.error(`nftables: could not put route_localnet back: ${(error as Error).message}`);
    }
    this.loaded = false;
    try {
      await this.load();
      this.logger?.info(`nftables: table ${this.table.name} loaded again after it was removed`);
    } catch (error) {
      this.stopWatch();
      this.logger?.error(
        `nftables: table ${this.table.name} could not be loaded again: ${(error as Error).message}`,
      );
      for (const listener of this.lostListeners) listener(error as Error);
    }
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
    this.localnet.adopt(parseGuardComment(guard?.comment));
    this.logger?.info(`nftables: replacing table ${this.table.name} left by an earlier run`, {
      chains: leftover.chains.length,
    });
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => {});
    return run;
  }
}

/**
 * Ban-set elements as nft text, each checked (as an address of its own family) before it is spliced
 * into a script. A host is written without its /32 or /128: the hash sets hold addresses, not prefixes.
 */
function bansText(elements: readonly BanSetElement[], now: number): string[] {
  return elements.map((element) => {
    const spec = banElementSpec(element, now);
    const family = elementFamily(spec.address);
    const address = isHostElement(spec.address) ? spec.address.replace(/\/\d+$/, "") : spec.address;
    return elementText({ ...spec, address }, family);
  });
}

/** The elements of both ban sets, for a table written whole. */
function banSetTexts(
  elements: readonly BanSetElement[],
  now: number,
): { banElements: string[]; hostBanElements: string[] } {
  return {
    banElements: bansText(
      elements.filter((element) => !isHostElement(element.cidr)),
      now,
    ),
    hostBanElements: bansText(
      elements.filter((element) => isHostElement(element.cidr)),
      now,
    ),
  };
}
