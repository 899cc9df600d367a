import { localize } from "@autostun/plugins-api";
import {
  type Ban,
  type BanInputError,
  type BanManyOutcome,
  type BanNotApplied,
  MAX_BAN_BATCH,
  MAX_BAN_REASON_LENGTH,
} from "@autostun/relay";
import { type BansChange, MAX_BANS_PER_CHANGE } from "@autostun/tunnels";
import { GraphQLError } from "graphql";
import { Tokens } from "../tokens.js";
import { banMessages } from "./ban-messages.js";
import { builder } from "./builder.js";
import { PageInfoRef } from "./page-info.js";
import { relayClientErrors } from "./relay-errors.js";

/**
 * Longest ban lifetime: 10 years. Past that a TTL is more likely a unit mistake than an intent, and a
 * ban meant for ever is a ban without ttlSeconds, lifted by unban.
 */
export const MAX_BAN_TTL_SECONDS = 10 * 365 * 24 * 60 * 60;

/**
 * The ban is lifted but some running tunnel still refuses the network: an error the client cannot miss,
 * naming each tunnel and why, with `stored: true` so it knows the unban was kept. Only for unban, whose
 * `Boolean!` (a fixed contract) has no room for it; ban answers the same as data (`Ban.notApplied`).
 */
function unbanNotAppliedError(
  cidr: string,
  notApplied: readonly BanNotApplied[],
  locale: string,
): GraphQLError {
  const text = banMessages.text("unban.not-applied", {
    cidr,
    tunnels: notApplied.map((n) => n.enforcer).join(", "),
    reasons: notApplied.map((n) => `${n.enforcer}: ${n.error}`).join("; "),
  });
  return new GraphQLError(localize(text, locale), {
    extensions: {
      code: "BAN_NOT_APPLIED",
      cidr,
      stored: true,
      notApplied: notApplied.map((n) => ({ tunnelId: n.enforcer, error: n.error })),
    },
  });
}

/** A ban, and when it is `ban`'s answer, the running tunnels that could not put it in force. */
type BanAnswer = Ban & { readonly notApplied?: readonly BanNotApplied[] };

const BanNotAppliedRef = builder.objectRef<BanNotApplied>("BanNotApplied").implement({
  description: "A running tunnel that could not put a stored change in force.",
  fields: (t) => ({
    tunnelId: t.id({ resolve: (n) => n.enforcer }),
    error: t.exposeString("error"),
  }),
});

const BanRef = builder.objectRef<BanAnswer>("Ban").implement({
  description: "A banned network: its peers are closed at the door and live connections cut.",
  fields: (t) => ({
    notApplied: t.field({
      type: [BanNotAppliedRef],
      nullable: true,
      description:
        "In ban's answer: the running tunnels that could not put this ban in force (empty when all did); the ban is stored all the same. Null wherever else a Ban is read.",
      resolve: (b) => (b.notApplied ? [...b.notApplied] : null),
    }),
    cidr: t.exposeString("cidr"),
    reason: t.string({
      nullable: true,
      description: `Why, at most ${MAX_BAN_REASON_LENGTH} characters`,
      resolve: (b) => b.reason,
    }),
    createdAt: t.field({ type: "DateTime", resolve: (b) => b.createdAt.toISOString() }),
    expiresAt: t.field({
      type: "DateTime",
      nullable: true,
      resolve: (b) => b.expiresAt?.toISOString() ?? null,
    }),
    source: t.string({
      description:
        "api for bans made here; file:<path> for lines of the ban-list file (edit the file to lift them)",
      resolve: (b) => b.source,
    }),
  }),
});

/** Most bans one page holds; `Query.bans` and `banConnection` both answer at most this many. */
export const MAX_BAN_PAGE = 1000;
const DEFAULT_BAN_CONNECTION_PAGE = 100;

interface BanEdge {
  node: Ban;
  cursor: string;
}

interface BanConnectionPage {
  edges: BanEdge[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  totalCount: number;
}

const BanEdgeRef = builder.objectRef<BanEdge>("BanEdge").implement({
  fields: (t) => ({
    node: t.field({ type: BanRef, resolve: (e) => e.node }),
    cursor: t.exposeString("cursor"),
  }),
});

const BanConnectionRef = builder.objectRef<BanConnectionPage>("BanConnection").implement({
  description: "A page of bans in the order they were first made (Relay cursor connection).",
  fields: (t) => ({
    edges: t.field({ type: [BanEdgeRef], resolve: (p) => p.edges }),
    pageInfo: t.field({ type: PageInfoRef, resolve: (p) => p.pageInfo }),
    totalCount: t.int({
      description: "Every ban there is now, all pages together",
      resolve: (p) => p.totalCount,
    }),
  }),
});

const BanChangeKindEnum = builder.enumType("BanChangeKind", {
  description:
    "ADDED: bans made or replaced through the API; REMOVED: lifted by unban; EXPIRED: their ttl ran out; RELOADED: the ban-list file changed (page the list again).",
  values: ["ADDED", "REMOVED", "EXPIRED", "RELOADED"] as const,
});

const BansChangedEventRef = builder.objectRef<BansChange>("BansChangedEvent").implement({
  description: `One change of the ban list: the bans it touched, never the whole list. When more than ${MAX_BANS_PER_CHANGE} changed at once, or the ban-list file was reloaded, bans is empty and count says how many: read the list again (banConnection).`,
  fields: (t) => ({
    kind: t.field({ type: BanChangeKindEnum, resolve: (c) => c.kind }),
    bans: t.field({
      type: [BanRef],
      description: `The changed bans (for REMOVED and EXPIRED, as they were), at most ${MAX_BANS_PER_CHANGE}`,
      resolve: (c) => [...c.bans],
    }),
    count: t.int({
      description: "How many bans changed; more than bans holds when they were left out",
      resolve: (c) => c.count,
    }),
    total: t.int({ description: "How many bans there are after the change", resolve: (c) => c.total }),
  }),
});

const BanInputErrorRef = builder.objectRef<BanInputError>("BanInputError").implement({
  description: "One entry of a banMany list that was refused, by its place in the list.",
  fields: (t) => ({
    index: t.exposeInt("index", { description: "Position in cidrs, from 0" }),
    cidr: t.exposeString("cidr"),
    message: t.exposeString("message"),
  }),
});

const BanManyPayloadRef = builder.objectRef<BanManyOutcome>("BanManyPayload").implement({
  description: "What banMany stored and what it refused.",
  fields: (t) => ({
    bans: t.field({ type: [BanRef], description: "The bans stored, in list order", resolve: (o) => o.bans }),
    count: t.int({ description: "How many were stored", resolve: (o) => o.bans.length }),
    errors: t.field({
      type: [BanInputErrorRef],
      description: "Entries refused (bad address); the others are stored all the same",
      resolve: (o) => o.errors,
    }),
    notApplied: t.field({
      type: [BanNotAppliedRef],
      description: "Running tunnels that could not put the stored bans in force (empty when all did)",
      resolve: (o) => o.notApplied,
    }),
  }),
});

/** Cursors are opaque to clients; inside, a ban's order number, which stays put while it is banned. */
function banCursor(seq: number): string {
  return Buffer.from(`ban:${seq}`).toString("base64url");
}

function seqOfCursor(cursor: string): number {
  const found = /^ban:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!found) throw badPage("after is not a cursor of banConnection; pass an endCursor it answered");
  return Number(found[1]);
}

function badPage(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_PAGE" } });
}

function pageSize(first: number | null | undefined, fallback: number): number {
  const size = first ?? fallback;
  if (size < 1 || size > MAX_BAN_PAGE) throw badPage(`first must be 1-${MAX_BAN_PAGE}; page on with after`);
  return size;
}

/** A reason past the cap is refused before anything else looks at it, naming the limit. */
function checkReason(reason: string | null | undefined): void {
  if (reason != null && reason.length > MAX_BAN_REASON_LENGTH)
    throw new GraphQLError(
      `reason is ${reason.length} characters; at most ${MAX_BAN_REASON_LENGTH}. Nothing was banned.`,
      { extensions: { code: "INVALID_BAN", maxReasonLength: MAX_BAN_REASON_LENGTH } },
    );
}

function checkTtl(ttl: number | null | undefined): void {
  if (ttl != null && (ttl < 1 || ttl > MAX_BAN_TTL_SECONDS))
    throw new GraphQLError(
      `ttlSeconds must be 1-${MAX_BAN_TTL_SECONDS} (10 years), not ${ttl}; leave it out for a ban until unban`,
      { extensions: { code: "INVALID_BAN" } },
    );
}

builder.queryFields((t) => ({
  bans: t.field({
    type: [BanRef],
    description: `Bans in the order they were first made, at most first (default and most ${MAX_BAN_PAGE}) of them; after: the cidr of the last ban of the previous page. banConnection gives cursors and the total.`,
    args: {
      first: t.arg.int({ required: false, description: `1-${MAX_BAN_PAGE}, default ${MAX_BAN_PAGE}` }),
      after: t.arg.string({ required: false, description: "The cidr of the last ban already read" }),
    },
    resolve: (_root, args, ctx) => {
      const bans = ctx.services.get(Tokens.Relay).bans;
      const first = pageSize(args.first, MAX_BAN_PAGE);
      let after = 0;
      if (args.after != null) {
        const seq = bans.seqOf(args.after);
        if (seq === undefined)
          throw badPage(
            `after: ${args.after} is not banned (any more); start again or page with banConnection`,
          );
        after = seq;
      }
      return bans.page(first, after).items.map((item) => item.ban);
    },
  }),
  banConnection: t.field({
    type: BanConnectionRef,
    description: `Every ban, a page at a time (first: 1-${MAX_BAN_PAGE}, default ${DEFAULT_BAN_CONNECTION_PAGE}), in the order they were first made; a cursor stays valid while its ban exists.`,
    args: {
      first: t.arg.int({ required: false }),
      after: t.arg.string({ required: false }),
    },
    resolve: (_root, args, ctx) => {
      const bans = ctx.services.get(Tokens.Relay).bans;
      const first = pageSize(args.first, DEFAULT_BAN_CONNECTION_PAGE);
      const page = bans.page(first, args.after != null ? seqOfCursor(args.after) : 0);
      const edges = page.items.map((item) => ({ node: item.ban, cursor: banCursor(item.seq) }));
      return {
        edges,
        pageInfo: {
          hasNextPage: page.hasNextPage,
          hasPreviousPage: page.hasPreviousPage,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
        totalCount: bans.size,
      };
    },
  }),
}));

builder.mutationFields((t) => ({
  ban: t.field({
    type: BanRef,
    description:
      "Bans an IPv4 or IPv6 address or CIDR (kept across restarts) and answers the stored Ban. Answers once every running tunnel refuses it and has asked the kernel to close its live connections (a close the kernel refuses is logged; the peer's next packet is reset all the same). A tunnel that could not (nftables failed) is named in the answer's notApplied, with why; the ban is kept and the other tunnels enforce it.",
    args: {
      cidr: t.arg.string({ required: true }),
      reason: t.arg.string({ required: false, description: `At most ${MAX_BAN_REASON_LENGTH} characters` }),
      ttlSeconds: t.arg.int({
        required: false,
        description: `Lifetime, 1-${MAX_BAN_TTL_SECONDS}; absent: until unban`,
      }),
    },
    resolve: (_root, args, ctx) =>
      relayClientErrors(async (): Promise<BanAnswer> => {
        const ttl = args.ttlSeconds;
        checkTtl(ttl);
        checkReason(args.reason);
        const { ban, notApplied } = await ctx.services
          .get(Tokens.Relay)
          .ban({ cidr: args.cidr, reason: args.reason ?? null, ttlSeconds: ttl ?? null });
        return { ...ban, notApplied } satisfies BanAnswer;
      }),
  }),
  banMany: t.field({
    type: BanManyPayloadRef,
    description: `Bans up to ${MAX_BAN_BATCH} addresses or CIDRs at once, with one reason and lifetime: one database transaction and one nftables transaction per tunnel. Entries that do not parse are listed in errors by index and the rest are stored (not all-or-nothing); a reason or ttlSeconds out of range refuses the whole call.`,
    args: {
      cidrs: t.arg.stringList({ required: true, description: `1-${MAX_BAN_BATCH} entries` }),
      reason: t.arg.string({ required: false, description: `At most ${MAX_BAN_REASON_LENGTH} characters` }),
      ttlSeconds: t.arg.int({
        required: false,
        description: `Lifetime, 1-${MAX_BAN_TTL_SECONDS}; absent: until unban`,
      }),
    },
    resolve: (_root, args, ctx) =>
      relayClientErrors(async () => {
        if (args.cidrs.length < 1 || args.cidrs.length > MAX_BAN_BATCH)
          throw new GraphQLError(
            `cidrs must hold 1-${MAX_BAN_BATCH} entries, not ${args.cidrs.length}; split the list`,
            {
              extensions: { code: "INVALID_BAN", maxBans: MAX_BAN_BATCH },
            },
          );
        checkTtl(args.ttlSeconds);
        checkReason(args.reason);
        const reason = args.reason ?? null;
        const ttlSeconds = args.ttlSeconds ?? null;
        return ctx.services
          .get(Tokens.Relay)
          .banMany(args.cidrs.map((cidr) => ({ cidr, reason, ttlSeconds })));
      }),
  }),
  unban: t.boolean({
    description:
      "Lifts an API ban; false when that network was not banned. Answers once every running tunnel lets it in again; otherwise an error with code BAN_NOT_APPLIED as for ban.",
    args: { cidr: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) =>
      relayClientErrors(async () => {
        const { removed, notApplied } = await ctx.services.get(Tokens.Relay).unban(args.cidr);
        if (notApplied.length > 0) throw unbanNotAppliedError(args.cidr, notApplied, ctx.locale);
        return removed;
      }),
  }),
}));

builder.subscriptionFields((t) => ({
  bansChanged: t.field({
    type: BansChangedEventRef,
    description:
      "Each change of the ban list as it happens (a ban or unban, bans that expired, a reload of the ban-list file): the change, not the list.",
    subscribe: (_root, _args, ctx) => ctx.services.get(Tokens.Bus).iterate("bans.changed"),
    resolve: (change) => change as BansChange,
  }),
}));
