import type { NamedCommands, TunnelConfig } from "@autostun/config";
import {
  AddressHooks,
  type DownloaderStatus,
  type HookRun,
  idleDownloaderStatus,
} from "@autostun/downloaders";
import { downloaderText } from "@autostun/extension-host";
import type { Logger } from "@autostun/plugins-api";
import type { TunnelStatus } from "@autostun/relay";
import { type ResolveDownloader, TunnelDownloader } from "./downloaders/tunnel-downloader.js";
import { hookArgv } from "./input/named-commands.js";

export interface TunnelAnnouncerOptions {
  config: TunnelConfig;
  /** Absent where no extension host runs (`doctor`): the downloader is then never pushed. */
  resolveDownloader: ResolveDownloader | undefined;
  logger: (bindings: Record<string, string>) => Logger;
  /** The host the downloader's port is checked on: the tunnel's target host. */
  verifyHost: string;
  /** The config file's `commands`, for hooks that name one. */
  commands?: NamedCommands;
  /** Told whenever what `Tunnel.downloader` or `Tunnel.hooks` shows changed. */
  onChange(): void;
}

/**
 * Tells the outside world where a tunnel is, each time it opens on a new public address: pushes the
 * port to the downloader (set, read back, TCP check, re-announce, retries) and runs the hooks. Neither
 * can fail the tunnel: their outcome is a status beside it.
 */
export class TunnelAnnouncer {
  private downloader: TunnelDownloader | undefined;
  private readonly hooks: AddressHooks | undefined;
  private lastRun: HookRun | undefined;
  private pushed: string | undefined;
  private hooked: string | undefined;
  private lastShown: DownloaderStatus | undefined;

  constructor(private readonly options: TunnelAnnouncerOptions) {
    const { hooks } = options.config;
    const command = hooks ? this.program(hooks, "hooks") : undefined;
    if (hooks && (command || hooks.webhook)) {
      const { webhook, timeoutSeconds } = hooks;
      this.hooks = new AddressHooks({
        ...(command ? { command: { argv: command, timeoutMs: timeoutSeconds * 1000 } } : {}),
        ...(webhook
          ? {
              webhook: {
                url: webhook.url,
                secretHeader: webhook.secretHeader,
                timeoutMs: timeoutSeconds * 1000,
                ...(webhook.secret ? { secret: webhook.secret } : {}),
              },
            }
          : {}),
        logger: options.logger({ module: "hooks", tunnel: options.config.id }),
      });
    }
  }

  /**
   * The program a hook runs. A name the file's `commands` lacks (checked when the tunnel was saved or
   * loaded, so only a file edited since) runs nothing, and says so.
   */
  private program(
    hook: { command?: readonly string[] | undefined; commandName?: string | undefined },
    which: string,
  ): readonly string[] | undefined {
    const found = hookArgv(hook, this.options.commands);
    if (!found && hook.commandName)
      this.options
        .logger({ module: "hooks", tunnel: this.options.config.id })
        .warn(
          `${which}: no command named "${hook.commandName}" in the config file's commands; nothing is run`,
        );
    return found;
  }

  downloaderStatus(): DownloaderStatus | undefined {
    const settings = this.options.config.downloader;
    if (!settings) return undefined;
    return this.downloader?.status() ?? idleDownloaderStatus(settings.kind, settings.url);
  }

  hookRun(): HookRun | undefined {
    return this.lastRun;
  }

  /** A new run of the tunnel: a fresh push (the last one ended its client session) and fresh memory. */
  begin(): void {
    this.pushed = undefined;
    this.hooked = undefined;
    const settings = this.options.config.downloader;
    const resolve = this.options.resolveDownloader;
    if (!settings || !resolve) return;
    const restart = settings.restartHook;
    const restartArgv = restart ? this.program(restart, "downloader.restartHook") : undefined;
    this.downloader = new TunnelDownloader({
      settings: {
        ...settings,
        restartHook: restart && restartArgv ? { ...restart, command: [...restartArgv] } : undefined,
      },
      resolve,
      verifyHost: this.options.verifyHost,
      logger: this.options.logger({ module: "downloader", tunnel: this.options.config.id }),
      onStatus: (status) => {
        // Every attempt updates lastPushAt; subscribers only care when what the tunnel shows changed.
        const last = this.lastShown;
        const changed =
          !last ||
          last.state !== status.state ||
          last.verifiedPort !== status.verifiedPort ||
          last.requestedPort !== status.requestedPort ||
          last.error?.message !== status.error?.message;
        this.lastShown = status;
        if (changed) this.options.onChange();
      },
    });
  }

  /**
   * The tunnel is OPEN: push `downloaderPort` when it or the public address changed since the last push
   * (a new address needs a re-announce even on the same port), and run the hooks on a new address.
   */
  opened(status: TunnelStatus, downloaderPort: number, heldBy?: string): void {
    const address = status.publicAddress;
    if (!address || status.localPort === undefined) return;
    const where = `${address.ip}:${address.port}`;
    const push = `${where}>${downloaderPort}`;
    if (this.downloader && push !== this.pushed) {
      this.pushed = push;
      const kind = this.options.config.downloader?.kind ?? "";
      if (heldBy)
        this.downloader.refuse(
          downloaderPort,
          downloaderText("port.held", { port: downloaderPort, other: heldBy, kind }),
        );
      else this.downloader.pushPort(downloaderPort);
    }
    if (this.hooks && where !== this.hooked) {
      this.hooked = where;
      const change = {
        tunnelId: this.options.config.id,
        protocol: "tcp" as const,
        // The keep-alive's own source address: the host's first interface may not be the routed one.
        private: status.privateAddress ?? { ip: "0.0.0.0", port: status.localPort },
        public: { ip: address.ip, port: address.port },
      };
      void this.hooks.run(change).then(
        (run) => {
          this.lastRun = run;
          this.options.onChange();
        },
        // AddressHooks turns every failure into an outcome; this only guards against a bug there.
        (error: unknown) =>
          this.options
            .logger({ module: "hooks", tunnel: this.options.config.id })
            .error("hooks crashed", { error: error instanceof Error ? error.message : String(error) }),
      );
    }
  }

  /** Pushes the last port again now; false when the tunnel has not opened in this run. */
  retry(): boolean {
    return this.downloader?.retry() ?? false;
  }

  /** The tunnel stopped: cancel a push in progress and end the client session. */
  async end(): Promise<void> {
    const downloader = this.downloader;
    this.downloader = undefined;
    this.lastShown = undefined;
    await downloader?.dispose();
  }
}
