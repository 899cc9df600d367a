/** nftables address families a table can belong to. */
export type NftFamily = "ip" | "ip6" | "inet" | "arp" | "bridge" | "netdev";

/** Names one table: what `nft … table <family> <name>` takes. */
export interface TableRef {
  family: NftFamily;
  name: string;
}

/** Names one set or map inside a table. */
export interface SetRef {
  table: TableRef;
  name: string;
}

/** Names one chain inside a table. */
export interface ChainRef {
  table: TableRef;
  name: string;
}

export interface NftTable {
  family: NftFamily;
  name: string;
  handle?: number;
}

export interface NftChain {
  family: NftFamily;
  table: string;
  name: string;
  handle?: number;
  /** Base chains only: `filter`, `nat`, `route`. */
  type?: string;
  hook?: string;
  prio?: number;
  policy?: string;
}

export interface NftRule {
  family: NftFamily;
  table: string;
  chain: string;
  handle: number;
  /** Statements in nft's JSON form (`match`, `accept`, `jump`, …), left as printed. */
  expr: unknown[];
  comment?: string;
}

/** A named set or map; `elem` is as nft printed it (plain values, prefixes, ranges, `{ elem: … }`). */
export interface NftSet {
  family: NftFamily;
  table: string;
  name: string;
  handle?: number;
  type?: string | string[];
  /** Maps only: the type of the values. */
  map?: string | string[];
  flags?: string[];
  timeout?: number;
  elem: unknown[];
}

/** A named counter and what it has counted so far. */
export interface NftCounter {
  family: NftFamily;
  table: string;
  name: string;
  handle?: number;
  packets: number;
  bytes: number;
}

/** What `nft -j list ruleset` (or `list table`) holds, grouped by kind. */
export interface NftRuleset {
  counters: NftCounter[];
  tables: NftTable[];
  chains: NftChain[];
  rules: NftRule[];
  sets: NftSet[];
  maps: NftSet[];
}
