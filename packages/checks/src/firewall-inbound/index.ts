import {
  type CheckRunContext,
  type ExtensionContext,
  type RemedyContext,
  type RemedyOutcome,
  Services,
} from "@autostun/plugins-api";
import { assess, shellLine } from "./assess.js";
import { messages } from "./messages.js";
import { portsToEvaluate } from "./ports.js";
import { buildResult } from "./verdict.js";

/**
 * Built-in check `firewall.inbound`: would this host's own firewall accept a new TCP connection from an
 * internet peer to the tunnel's local port? It judges the real rules (nftables, iptables legacy and
 * nft backends, ufw, firewalld, DSM, Windows Firewall, the macOS application firewall) and offers the
 * one narrow rule that admits the port, as guidance and as a remedy.
 */
export function activate(context: ExtensionContext): void {
  const program = process.execPath;
  const judge = async (ctx: CheckRunContext | RemedyContext) => {
    const { ports, source } = await portsToEvaluate(ctx.services.get(Services.TunnelPorts), context.config);
    const assessment = await assess({
      host: ctx.services.get(Services.HostInfo),
      runner: ctx.services.get(Services.CommandRunner),
      files: ctx.services.get(Services.SystemFiles),
      ports,
      program,
      signal: ctx.signal,
    });
    return { assessment, source };
  };

  context.subscriptions.push(
    context.registerCheck("firewall.inbound", {
      async run(ctx) {
        const { assessment, source } = await judge(ctx);
        return buildResult(assessment, source);
      },

      async applyRemedy(remedyId, ctx): Promise<RemedyOutcome> {
        const { assessment } = await judge(ctx);
        let commands: string[][];
        if (remedyId === "remove-rules") {
          commands = assessment.applied.map((a) => a.removeCommand);
          if (commands.length === 0) return { ok: true, message: messages.text("remedy.nothing-to-remove") };
        } else if (remedyId.startsWith("allow-port:")) {
          const port = Number(remedyId.slice("allow-port:".length));
          if (assessment.manager === "dsm") return { ok: false, message: messages.text("remedy.dsm") };
          const entry = assessment.ports.find((p) => p.port === port);
          if (!entry) return { ok: false, message: messages.text("remedy.unknown", { id: remedyId }) };
          commands = entry.allow;
          if (commands.length === 0) return { ok: true, message: messages.text("remedy.nothing", { port }) };
        } else return { ok: false, message: messages.text("remedy.unknown", { id: remedyId }) };

        const lines = commands.map(shellLine);
        if (!ctx.services.get(Services.HostInfo).isPrivileged)
          return { ok: false, message: messages.text("remedy.needs-root", { commands: lines.join(" ; ") }) };
        const runner = ctx.services.get(Services.CommandRunner);
        for (const [index, argv] of commands.entries()) {
          const [file, ...args] = argv;
          if (!file) continue;
          const result = await runner.run(file, args, { signal: ctx.signal, timeoutMs: 15_000 });
          if (result.error || result.exitCode !== 0) {
            const reason = result.error ?? (result.stderr.trim() || `exit ${result.exitCode}`);
            ctx.logger.warn("firewall remedy command failed", { command: lines[index], reason });
            return {
              ok: false,
              message: messages.text("remedy.failed", { command: lines[index] ?? file, reason }),
            };
          }
        }
        ctx.logger.info("firewall remedy applied", { remedyId, commands: lines });
        return { ok: true, message: messages.text("remedy.done", { commands: lines.join(" ; ") }) };
      },
    }),
  );
}
