import type { Ban } from "@autostun/relay";
import { GraphQLError } from "graphql";
import { Tokens } from "../tokens.js";
import { builder } from "./builder.js";
import { relayClientErrors } from "./relay-errors.js";

/**
 * Longest ban lifetime: 10 years. Past that a TTL is more likely a unit mistake than an intent, and a
 * ban meant for ever is a ban without ttlSeconds, lifted by unban.
 */
export const MAX_BAN_TTL_SECONDS = 10 * 365 * 24 * 60 * 60;

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
      "Bans an IPv4 or IPv6 address or CIDR (kept across restarts); live connections from it close at once.",
    args: {
      cidr: t.arg.string({ required: true }),
      reason: t.arg.string({ required: false }),
      ttlSeconds: t.arg.int({
        required: false,
        description: `Lifetime, 1-${MAX_BAN_TTL_SECONDS}; absent: until unban`,
      }),
    },
    resolve: (_root, args, ctx) =>
      relayClientErrors(() => {
        const ttl = args.ttlSeconds;
        if (ttl != null && (ttl < 1 || ttl > MAX_BAN_TTL_SECONDS))
          throw new GraphQLError(
            `ttlSeconds must be 1-${MAX_BAN_TTL_SECONDS} (10 years), not ${ttl}; leave it out for a ban until unban`,
            { extensions: { code: "INVALID_BAN" } },
          );
        return ctx.services
          .get(Tokens.Relay)
          .ban({ cidr: args.cidr, reason: args.reason ?? null, ttlSeconds: ttl ?? null });
      }),
  }),
  unban: t.boolean({
    description: "Lifts an API ban; false when that network was not banned.",
    args: { cidr: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => relayClientErrors(() => ctx.services.get(Tokens.Relay).unban(args.cidr)),
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
