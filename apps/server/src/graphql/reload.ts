import type { ConfigProblem } from "@autostun/config";
import { localize } from "@autostun/plugins-api";
import type { TunnelChanges } from "@autostun/tunnels";
import type { ReloadResult } from "../lifecycle/reload.js";
import { Tokens } from "../tokens.js";
import { builder } from "./builder.js";

const ReloadStatusEnum = builder.enumType("ReloadStatus", {
  description:
    "APPLIED: the new config runs; UNCHANGED: the file held no changes; REFUSED: the old config keeps running",
  values: ["APPLIED", "UNCHANGED", "REFUSED"] as const,
});

export const ConfigProblemRef = builder.objectRef<ConfigProblem>("ConfigProblem").implement({
  description: "One reason a config was refused.",
  fields: (t) => ({
    key: t.exposeString("key", { description: "The key, e.g. tunnels[1].target" }),
    source: t.exposeString("source", {
      description:
        "Where it was set: the file and line (path:line), an environment variable (env NAME), a flag (flag --name), the defaults, or saveTunnel input",
    }),
    message: t.exposeString("message"),
  }),
});

const TunnelChangesRef = builder.objectRef<TunnelChanges>("TunnelChanges").implement({
  description: "What a reload did to each tunnel, by id.",
  fields: (t) => ({
    started: t.exposeIDList("started"),
    stopped: t.exposeIDList("stopped"),
    restarted: t.exposeIDList("restarted", { description: "Changed; stopped and started again alone" }),
    unchanged: t.exposeIDList("unchanged", { description: "Kept running with their live connections" }),
  }),
});

const ReloadResultRef = builder.objectRef<ReloadResult>("ReloadResult").implement({
  description: "The outcome of re-reading the config file.",
  fields: (t) => ({
    status: t.field({ type: ReloadStatusEnum, resolve: (r) => r.status }),
    file: t.string({ nullable: true, resolve: (r) => r.file ?? null }),
    message: t.string({ resolve: (r, _args, ctx) => localize(r.message, ctx.locale) }),
    problems: t.field({ type: [ConfigProblemRef], resolve: (r) => r.problems }),
    applied: t.stringList({ description: "Keys whose new value is in effect", resolve: (r) => r.applied }),
    needsRestart: t.stringList({
      description:
        "Keys that changed but keep their old value until AutoSTUN restarts (api.listen, dataDir…)",
      resolve: (r) => r.needsRestart,
    }),
    tunnels: t.field({ type: TunnelChangesRef, resolve: (r) => r.tunnels }),
    at: t.field({ type: "DateTime", resolve: (r) => r.at.toISOString() }),
  }),
});

builder.mutationFields((t) => ({
  reloadConfig: t.field({
    type: ReloadResultRef,
    description:
      "Re-reads the config file, as SIGHUP does. A config that does not load is refused with its problems and the running one stays; unchanged tunnels keep their connections.",
    resolve: (_root, _args, ctx) => ctx.services.get(Tokens.Reloader).reload("api"),
  }),
}));
