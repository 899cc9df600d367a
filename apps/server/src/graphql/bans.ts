import { localize } from "@autostun/plugins-api";
import type { Ban, BanNotApplied } from "@autostun/relay";
import { GraphQLError } from "graphql";
import { Tokens } from "../tokens.js";
import { banMessages } from "./ban-messages.js";
import { builder } from "./builder.js";
import { relayClientErrors } from "./relay-errors.js";

/**
 * Longest ban lifetime: 10 years. Past that a TTL is more likely a unit mistake than an intent, and a
 * ban meant for ever is a ban without ttlSeconds, lifted by unban.
 */
export const MAX_BAN_TTL_SECONDS = 10 * 365 * 24 * 60 * 60;

/**
 * The change is kept but some running tunnel could not put it in force: an error the client cannot
 * miss, naming each tunnel and why, with `stored: true` so it knows not to treat the ban as refused.
 */
function notAppliedError(
  key: "ban.not-applied" | "unban.not-applied",
  cidr: string,
  notApplied: readonly BanNotApplied[],
  locale: string,
): GraphQLError {
  const text = banMessages.text(key, {
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

const BanRef = builder.objectRef<Ban>("Ban").implement({
  description: "A banned network: its peers are closed at the door and live connections cut.",
  fields: (t) => ({
    cidr: t.exposeString("cidr"),
    reason: t.string({ nullable: true, resolve: (b) => b.reason }),
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

builder.queryFields((t) => ({
  bans: t.field({
    type: [BanRef],
    resolve: (_root, _args, ctx) => ctx.services.get(Tokens.Relay).bans.list(),
  }),
}));

builder.mutationFields((t) => ({
  ban: t.field({
    type: BanRef,
    description:
      "Bans an IPv4 or IPv6 address or CIDR (kept across restarts). Answers once every running tunnel refuses it and has asked the kernel to close its live connections (a close the kernel refuses is logged; the peer's next packet is reset all the same); a tunnel that could not (nftables failed) makes the answer an error with code BAN_NOT_APPLIED, stored: true and notApplied: [{ tunnelId, error }], while the ban is kept and the other tunnels enforce it.",
    args: {
      cidr: t.arg.string({ required: true }),
      reason: t.arg.string({ required: false }),
      ttlSeconds: t.arg.int({
        required: false,
        description: `Lifetime, 1-${MAX_BAN_TTL_SECONDS}; absent: until unban`,
      }),
    },
    resolve: (_root, args, ctx) =>
      relayClientErrors(async () => {
        const ttl = args.ttlSeconds;
        if (ttl != null && (ttl < 1 || ttl > MAX_BAN_TTL_SECONDS))
          throw new GraphQLError(
            `ttlSeconds must be 1-${MAX_BAN_TTL_SECONDS} (10 years), not ${ttl}; leave it out for a ban until unban`,
            { extensions: { code: "INVALID_BAN" } },
          );
        const { ban, notApplied } = await ctx.services
          .get(Tokens.Relay)
          .ban({ cidr: args.cidr, reason: args.reason ?? null, ttlSeconds: ttl ?? null });
        if (notApplied.length > 0) throw notAppliedError("ban.not-applied", ban.cidr, notApplied, ctx.locale);
        return ban;
      }),
  }),
  unban: t.boolean({
    description:
      "Lifts an API ban; false when that network was not banned. Answers once every running tunnel lets it in again; otherwise an error with code BAN_NOT_APPLIED as for ban.",
    args: { cidr: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) =>
      relayClientErrors(async () => {
        const { removed, notApplied } = await ctx.services.get(Tokens.Relay).unban(args.cidr);
        if (notApplied.length > 0)
          throw notAppliedError("unban.not-applied", args.cidr, notApplied, ctx.locale);
        return removed;
      }),
  }),
}));

builder.subscriptionFields((t) => ({
  bansChanged: t.field({
    type: [BanRef],
    description:
      "The whole ban list each time it changes: a ban or unban, a ban that expired, a reload of the ban-list file.",
    subscribe: (_root, _args, ctx) => ctx.services.get(Tokens.Bus).iterate("bans.changed"),
    resolve: (bans) => bans as Ban[],
  }),
}));
