import {
  type CheckRunContext,
  type ExtensionContext,
  type RemedyContext,
  type RemedyOutcome,
  Services,
  type StunSettings,
} from "@autostun/plugins-api";
import { shellLine } from "../firewall-inbound/assess.js";
import {
  downloaderTunnel,
  IncomingPeerRecord,
  pickSubject,
  readClientListening,
  readSwarm,
  type SwarmReading,
} from "./downloader-facts.js";
import { probeAddress, readHostIpv6 } from "./host-facts.js";
import {
  ephemeralPort,
  type HostFirewall6,
  judgeHostFirewall6,
  judgeProbePort,
  readFirewallState6,
  readHostFirewall6,
} from "./host-firewall.js";
import { messages } from "./messages.js";
import { measureRouterFiltering } from "./router-filtering.js";
import { decideIpv6 } from "./verdict.js";

/**
 * Built-in check `ipv6.reachability`: over IPv6 no NAT stands between peers and the downloader, only
 * firewalls. It reads the host's IPv6 addresses and route, whether the downloader accepts IPv6 on its
 * port, this host's own firewall for that port, the router's inbound filtering (RFC 5780 discovery
 * against `stun.udp` over IPv6), and the downloader's peer list for a peer that came in over IPv6.
 */
export function activate(context: ExtensionContext): void {
  const timeoutMs = typeof context.config.timeoutMs === "number" ? context.config.timeoutMs : 8000;
  const rto = typeof context.config.rto === "number" ? context.config.rto : 200;
  // "When" of the swarm's proof is the first sighting in this daemon's life, not the latest run.
  const record = new IncomingPeerRecord();

  /** The port, where it came from and its tunnel: shared by the check and its remedies. */
  const subjectOf = async (ctx: CheckRunContext | RemedyContext) => {
    const port = configuredPort(context.config);
    const activity = await ctx.services.get(Services.TunnelActivity).tunnels();
    return pickSubject(activity, port);
  };

  context.subscriptions.push(
    context.registerCheck("ipv6.reachability", {
      async run(ctx) {
        const { services, signal } = ctx;
        const subject = await subjectOf(ctx);
        const port = subject.port;
        const platform = services.get(Services.HostInfo).platform;
        if (platform !== "linux" && platform !== "dsm")
          return decideIpv6({
            platform,
            host: { addresses: [], defaultRoute: "none", listeners: null, unreadable: [] },
            port,
            router: undefined,
          });
        const runner = services.get(Services.CommandRunner);
        const host = await readHostIpv6(runner, port, signal);
        if (!host.addresses?.length || host.defaultRoute === null || host.defaultRoute === "none")
          return decideIpv6({ platform, host, port, router: undefined, subject });
        const files = services.get(Services.SystemFiles);
        const state = await readFirewallState6(runner, files, signal);
        const firewall: HostFirewall6 | undefined =
          port === undefined ? undefined : judgeHostFirewall6(state, port);
        const probePort = judgeProbePort(state, await ephemeralPort(files));
        const downloaders = services.get(Services.Downloaders);
        const configured = await downloaders.list().catch(() => []);
        const clientTunnel = downloaderTunnel(
          subject.tunnelId,
          configured.map((d) => d.tunnelId),
        );
        const client = clientTunnel
          ? await readClientListening(downloaders, clientTunnel, signal)
          : undefined;
        let swarm: SwarmReading | undefined;
        if (configured.length > 0) swarm = await readSwarm(downloaders, signal);
        const proofs = record.note(swarm?.incoming ?? [], new Date());
        // The tunnel's idea of the downloader's address counts only when it is one of this host's own.
        const own = host.addresses.find((a) => a.address.toLowerCase() === subject.address?.toLowerCase());
        const from = own?.address ?? probeAddress(host);
        let router: Awaited<ReturnType<typeof measureRouterFiltering>> | "no-servers" | undefined;
        if (from) {
          const servers = services.get<StunSettings>(Services.StunSettings).udp;
          router =
            servers.length === 0
              ? "no-servers"
              : await measureRouterFiltering({ from, servers, signal, timeoutMs, rto });
        }
        return decideIpv6({
          platform,
          host,
          port,
          router,
          subject,
          ...(firewall ? { firewall } : {}),
          probePort,
          ...(client ? { client } : {}),
          ...(swarm ? { swarm } : {}),
          proofs,
        });
      },

      async applyRemedy(remedyId, ctx): Promise<RemedyOutcome> {
        const subject = await subjectOf(ctx);
        if (remedyId === "listen-on-ipv6") {
          const downloaders = ctx.services.get(Services.Downloaders);
          const tunnelId = downloaderTunnel(
            subject.tunnelId,
            (await downloaders.list()).map((d) => d.tunnelId),
          );
          if (!tunnelId) return { ok: false, message: messages.text("remedy.no-tunnel") };
          try {
            await downloaders.listenOnIpv6(tunnelId, { signal: ctx.signal });
          } catch (error) {
            return {
              ok: false,
              message: messages.text("remedy.listen.failed", { reason: (error as Error).message }),
            };
          }
          ctx.logger.info("downloader told to listen on IPv6", { tunnel: tunnelId });
          return { ok: true, message: messages.text("remedy.listen.done") };
        }
        if (remedyId !== "allow-ipv6-port")
          return { ok: false, message: messages.text("remedy.unknown", { id: remedyId }) };
        const port = subject.port;
        if (port === undefined) return { ok: false, message: messages.text("remedy.no-port") };
        // Judged again now: the rules may have changed since the check ran.
        const firewall = await readHostFirewall6(
          ctx.services.get(Services.CommandRunner),
          ctx.services.get(Services.SystemFiles),
          port,
          ctx.signal,
        );
        if (firewall.allow.length === 0)
          return { ok: true, message: messages.text("remedy.nothing", { port }) };
        const lines = firewall.allow.map(shellLine);
        if (!ctx.services.get(Services.HostInfo).isPrivileged)
          return { ok: false, message: messages.text("remedy.needs-root", { commands: lines.join(" ; ") }) };
        const runner = ctx.services.get(Services.CommandRunner);
        for (const [index, argv] of firewall.allow.entries()) {
          const [file, ...args] = argv;
          if (!file) continue;
          const result = await runner.run(file, args, { signal: ctx.signal, timeoutMs: 15_000 });
          if (result.error || result.exitCode !== 0) {
            const reason = result.error ?? (result.stderr.trim() || `exit ${result.exitCode}`);
            ctx.logger.warn("IPv6 firewall remedy command failed", { command: lines[index], reason });
            return {
              ok: false,
              message: messages.text("remedy.failed", { command: lines[index] ?? file, reason }),
            };
          }
        }
        ctx.logger.info("IPv6 firewall remedy applied", { commands: lines });
        return { ok: true, message: messages.text("remedy.done", { commands: lines.join(" ; ") }) };
      },
    }),
  );
}

/** `plugins.config["@autostun/check-ipv6-reachability"].port`: the downloader's peer port, when given. */
function configuredPort(config: Readonly<Record<string, unknown>>): number | undefined {
  const value = config.port;
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 65535)
    throw new Error(
      `plugins.config["@autostun/check-ipv6-reachability"].port must be an integer from 1 to 65535, got ${JSON.stringify(value)}`,
    );
  return value;
}
