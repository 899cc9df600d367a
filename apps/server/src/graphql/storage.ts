import type { StorageHealth } from "@autostun/store";
import { writeGuard } from "@autostun/store";
import { Tokens } from "../tokens.js";
import { builder } from "./builder.js";

type Failure = NonNullable<StorageHealth["lastFailure"]>;

const StorageFailureRef = builder.objectRef<Failure>("StorageFailure").implement({
  description: "A write to the database that did not reach the disk (full disk, I/O error, file gone).",
  fields: (t) => ({
    message: t.exposeString("message"),
    at: t.field({ type: "DateTime", resolve: (f) => f.at.toISOString() }),
    count: t.int({ description: "Writes that failed since the start", resolve: (f) => f.count }),
  }),
});

const StorageRef = builder.objectRef<StorageHealth>("Storage").implement({
  description:
    "The daemon's database in dataDir. writable turns false when its file was deleted or replaced while the daemon ran: changes are then refused (NOT_SAVED) until a restart.",
  fields: (t) => ({
    database: t.string({ nullable: true, resolve: (s) => s.database }),
    writable: t.exposeBoolean("writable"),
    problem: t.string({ nullable: true, resolve: (s) => s.problem }),
    lastFailure: t.field({ type: StorageFailureRef, nullable: true, resolve: (s) => s.lastFailure }),
  }),
});

builder.queryFields((t) => ({
  storage: t.field({
    type: StorageRef,
    description: "Whether changes reach the disk: the database file and the latest write that failed.",
    resolve: (_root, _args, ctx) => writeGuard(ctx.services.get(Tokens.Database)).health(),
  }),
}));
