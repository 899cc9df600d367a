import type { AutostunConfig } from "@autostun/config";
import { MAX_TUNNELS, OWN_API_ADVICE, SELF_LOOP_ADVICE } from "@autostun/config";
import { type Disposable, type Logger, toDisposable } from "@autostun/plugins-api";
import type { OwnPort } from "@autostun/relay";
import { exhaustionCode } from "@autostun/runtime";
import { ReloadRefused } from "./reconcile-tunnels.js";
import type { RunningTunnel } from "./running-tunnel.js";
import { TunnelRequestError } from "./tunnel-request-error.js";

/**
 * What one daemon's tunnels may add up to: at most `limits.maxTunnels` of them (each holds sockets,
 * timers and a network watch, so an uncapped saveTunnel ran the daemon out of descriptors), and no
 * target on a port this host serves itself (the API, a tunnel's own listener).
 */
export class TunnelLimits {
  /** Ids saveTunnel is creating right now: they count before they run, so concurrent calls cannot overshoot. */
  private readonly creating = new Set<string>();
  private api: { port: number; listen: string } | undefined;

  constructor(
    private readonly config: () => AutostunConfig,
    private readonly tunnels: ReadonlyMap<string, RunningTunnel>,
  ) {}

  /**
   * Takes a place for a tunnel saveTunnel is about to create (none when it replaces `id`), or refuses
   * with the cap and the key that sets it. Dispose the result once the save ended either way.
   */
  reserve(id: string, replacing: boolean): Disposable {
    if (this.creating.has(id))
      throw new TunnelRequestError(
        `tunnel ${id} is being saved by another request right now; try again once that one answered`,
        "TUNNEL_IN_CONFIG",
      );
    const cap = this.config().limits.maxTunnels;
    if (!replacing && this.tunnels.size + this.creating.size >= cap)
      throw new TunnelRequestError(
        `cannot add tunnel ${id}: there are already ${cap} tunnels, the most limits.maxTunnels allows. ` +
          `Delete one (deleteTunnel), or raise limits.maxTunnels in the config file (1-${MAX_TUNNELS}) and reload.`,
        "TOO_MANY_TUNNELS",
      );
    this.creating.add(id);
    return toDisposable(() => void this.creating.delete(id));
  }

  /**
   * At start, whether a saved tunnel must stay stopped because `started` tunnels already fill the cap
   * (the file's own tunnels were counted when it loaded; saved ones can tip it over after a change).
   */
  skipAtStart(id: string, started: number, logger: Logger): boolean {
    const cap = this.config().limits.maxTunnels;
    if (started < cap) return false;
    logger.error(
      `tunnel ${id} (saved through the API) is not started: ${cap} tunnels already run, the most limits.maxTunnels allows; delete a tunnel or raise limits.maxTunnels`,
    );
    return true;
  }

  /**
   * Refuses a reload whose file tunnels, with the running ones saved through the API, would pass the
   * cap: the file alone was counted as it loaded, but the saved ones count too.
   */
  checkReload(next: AutostunConfig): void {
    const inFile = new Set(next.tunnels.map((tunnel) => tunnel.id));
    const saved = [...this.tunnels.values()].filter(
      (running) => running.origin === "api" && !inFile.has(running.config.id),
    ).length;
    const cap = next.limits.maxTunnels;
    if (next.tunnels.length + saved > cap)
      throw new ReloadRefused(
        "limits.maxTunnels",
        `the file has ${next.tunnels.length} tunnels and ${saved} more were saved through the API, past limits.maxTunnels (${cap}); raise limits.maxTunnels or delete tunnels, then reload`,
      );
  }

  noteApiPort(port: number, listen: string): void {
    this.api = { port, listen };
  }

  /** Ports of this host the tunnel `except` must not forward to. */
  ownPorts(except: string): OwnPort[] {
    const own: OwnPort[] = [];
    // Before the API listens (tunnels start first) its configured port stands in, unless it is 0.
    const listen = this.config().api.listen;
    const api = this.api ?? { port: Number(listen.slice(listen.lastIndexOf(":") + 1)), listen };
    if (api.port > 0)
      own.push({
        port: api.port,
        what: `the daemon's own API (api.listen ${api.listen})`,
        advice: OWN_API_ADVICE,
      });
    const add = (id: string, port: number) => {
      if (port > 0) own.push({ port, what: `tunnel "${id}"'s own port`, advice: SELF_LOOP_ADVICE });
    };
    for (const [id, running] of this.tunnels) {
      if (id === except) continue;
      for (const port of new Set([running.config.localPort, ...running.livePorts()])) add(id, port);
    }
    // The file's tunnels before they run (at start they are created one after another).
    for (const tunnel of this.config().tunnels)
      if (tunnel.id !== except && !this.tunnels.has(tunnel.id)) add(tunnel.id, tunnel.localPort);
    return own;
  }

  /** A tunnel that could not be made because descriptors ran out: a clear refusal, not an internal error. */
  static explainCreateFailure(id: string, error: unknown): void {
    const code = exhaustionCode(error);
    if (code)
      throw new TunnelRequestError(
        `cannot add tunnel ${id} now: the daemon is out of file descriptors (${code}: too many open files). Close connections to it or raise its open-files limit, then try again.`,
        "OUT_OF_DESCRIPTORS",
      );
  }
}
