import type { CheckState, ExtensionRecord, ExtensionState } from "@autostun/extension-host";
import { UnknownCheckError } from "@autostun/extension-host";
import { CHECK_STATUSES, type Guidance, localize, type Remedy } from "@autostun/plugins-api";
import { GraphQLError } from "graphql";
import { Tokens } from "../tokens.js";
import { builder } from "./builder.js";

const CheckStatusEnum = builder.enumType("CheckStatus", {
  description: "PASS/WARN/FAIL judge the network or host; ERROR means the check itself broke.",
  values: CHECK_STATUSES,
});

const GuidanceRef = builder.objectRef<Guidance>("Guidance").implement({
  description: "What to do about a result, in the request's locale.",
  fields: (t) => ({
    title: t.string({ resolve: (g, _args, ctx) => localize(g.title, ctx.locale) }),
    steps: t.stringList({ resolve: (g, _args, ctx) => g.steps.map((step) => localize(step, ctx.locale)) }),
    docs: t.string({ nullable: true, resolve: (g) => g.docs ?? null }),
  }),
});

const RemedyRef = builder.objectRef<Remedy>("Remedy").implement({
  description: "A fix the daemon can apply after the user confirms it.",
  fields: (t) => ({
    id: t.exposeID("id"),
    title: t.string({ resolve: (r, _args, ctx) => localize(r.title, ctx.locale) }),
    description: t.string({ resolve: (r, _args, ctx) => localize(r.description, ctx.locale) }),
    commands: t.stringList({ resolve: (r) => r.commands ?? [] }),
    requiresRoot: t.boolean({ resolve: (r) => r.requiresRoot ?? false }),
  }),
});

export const CheckRef = builder.objectRef<CheckState>("Check").implement({
  description: "One diagnosis check and its latest result.",
  fields: (t) => ({
    id: t.exposeID("id"),
    title: t.string({ resolve: (c, _args, ctx) => localize(c.title, ctx.locale) }),
    category: t.exposeString("category"),
    status: t.field({ type: CheckStatusEnum, resolve: (c) => c.status }),
    summary: t.string({ nullable: true, resolve: (c, _args, ctx) => localize(c.summary, ctx.locale) }),
    facts: t.field({ type: "JSON", nullable: true, resolve: (c) => c.facts }),
    guidance: t.field({ type: GuidanceRef, nullable: true, resolve: (c) => c.guidance ?? null }),
    remedies: t.field({ type: [RemedyRef], resolve: (c) => c.remedies ?? [] }),
    dependsOn: t.idList({ resolve: (c) => c.dependsOn }),
    extensionId: t.exposeString("extensionId"),
    startedAt: t.field({ type: "DateTime", nullable: true, resolve: (c) => c.startedAt ?? null }),
    finishedAt: t.field({ type: "DateTime", nullable: true, resolve: (c) => c.finishedAt ?? null }),
    durationMs: t.int({ nullable: true, resolve: (c) => c.durationMs ?? null }),
  }),
});

/** Every ExtensionState, in lifecycle order; the check below fails to compile when the union grows. */
const EXTENSION_STATES = [
  "INACTIVE",
  "ACTIVATING",
  "ACTIVE",
  "FAILED",
  "INCOMPATIBLE",
] as const satisfies readonly ExtensionState[];
const allExtensionStates: Exclude<ExtensionState, (typeof EXTENSION_STATES)[number]> extends never
  ? true
  : false = true;
void allExtensionStates;

const ExtensionStateEnum = builder.enumType("ExtensionState", {
  description:
    "INACTIVE: loaded, not started yet. ACTIVATING: starting. ACTIVE: its checks are registered. FAILED: it threw or its process gave up (see error). INCOMPATIBLE: its manifest could not be read or its engines range does not fit this daemon.",
  values: EXTENSION_STATES,
});

const ExtensionRef = builder.objectRef<ExtensionRecord>("Extension").implement({
  description: "A built-in or third-party extension and whether it loaded.",
  fields: (t) => ({
    id: t.id({ resolve: (e) => e.info.id }),
    displayName: t.string({ resolve: (e) => e.info.displayName }),
    version: t.string({ resolve: (e) => e.info.version }),
    builtin: t.boolean({ resolve: (e) => e.info.builtin }),
    state: t.field({ type: ExtensionStateEnum, resolve: (e) => e.state }),
    error: t.string({ nullable: true, resolve: (e) => e.error ?? null }),
    checks: t.idList({ resolve: (e) => e.checkIds }),
    isolated: t.boolean({
      description:
        "True when it runs in a process of its own (every third-party plugin), not in the daemon's",
      resolve: (e) => e.isolated,
    }),
    restarts: t.int({
      description: "How often its process was started again after it crashed, hung or ran out of memory",
      resolve: (e) => e.restarts,
    }),
  }),
});

const RemedyResultRef = builder
  .objectRef<{ ok: boolean; message: string; check?: CheckState }>("RemedyResult")
  .implement({
    fields: (t) => ({
      ok: t.exposeBoolean("ok"),
      message: t.exposeString("message"),
      check: t.field({ type: CheckRef, nullable: true, resolve: (r) => r.check ?? null }),
    }),
  });

/** Unknown ids are the client's mistake: say so plainly instead of masking it as an internal error. */
function clientErrors<T>(work: () => Promise<T>): Promise<T> {
  return work().catch((error: unknown) => {
    if (error instanceof UnknownCheckError)
      throw new GraphQLError(error.message, { extensions: { code: "UNKNOWN_CHECK" } });
    throw error;
  });
}

builder.queryFields((t) => ({
  checks: t.field({
    type: [CheckRef],
    resolve: (_root, _args, ctx) => ctx.services.get(Tokens.CheckEngine).list(),
  }),
  check: t.field({
    type: CheckRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.get(Tokens.CheckEngine).get(String(args.id)) ?? null,
  }),
  extensions: t.field({
    type: [ExtensionRef],
    resolve: (_root, _args, ctx) => ctx.services.get(Tokens.ExtensionHost).extensionList(),
  }),
}));

builder.mutationFields((t) => ({
  runChecks: t.field({
    type: [CheckRef],
    description:
      "Runs the given checks (and what they depend on), or all; returns when they finished. A check only this request waits for stops when the client goes away.",
    args: { ids: t.arg.idList({ required: false }) },
    resolve: (_root, args, ctx) =>
      clientErrors(() =>
        ctx.services.get(Tokens.CheckEngine).run(args.ids?.map(String), { signal: ctx.signal }),
      ),
  }),
  applyRemedy: t.field({
    type: RemedyResultRef,
    description: "Applies a remedy offered by a check's latest result, then re-runs the check.",
    args: { checkId: t.arg.id({ required: true }), remedyId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) =>
      clientErrors(async () => {
        const result = await ctx.services
          .get(Tokens.CheckEngine)
          .applyRemedy(String(args.checkId), String(args.remedyId));
        return { ...result, message: localize(result.message, ctx.locale) };
      }),
  }),
}));

builder.subscriptionFields((t) => ({
  checkUpdated: t.field({
    type: CheckRef,
    description: "Every change of a check's state: RUNNING, then its verdict.",
    subscribe: (_root, _args, ctx) => ctx.services.get(Tokens.Bus).iterate("check.updated"),
    resolve: (state) => state as CheckState,
  }),
}));
