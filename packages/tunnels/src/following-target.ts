import type { ForwardTarget } from "@autostun/relay";

/**
 * The configured target with a port that follows the one the downloader was told: the forwarder reads
 * `host` and `port` for every new connection, so peers go where the downloader listens now while the
 * host stays the validated one (never a new address, so never an open proxy).
 */
export class FollowingTarget {
  private current: number;
  readonly target: ForwardTarget;

  constructor(readonly base: ForwardTarget) {
    this.current = base.port;
    const port = () => this.current;
    const bracketed = base.ip.family === 6 ? `[${base.host}]` : base.host;
    this.target = {
      tunnelId: base.tunnelId,
      host: base.host,
      ip: base.ip,
      scope: base.scope,
      get port() {
        return port();
      },
      get text() {
        return `${bracketed}:${port()}`;
      },
    };
  }

  get port(): number {
    return this.current;
  }

  set port(port: number) {
    this.current = port;
  }

  /** Back to the configured port (the tunnel stopped; the next open decides again). */
  reset(): void {
    this.current = this.base.port;
  }
}
