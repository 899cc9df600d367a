import { createHash } from "node:crypto";
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { TunnelConfig } from "@autostun/config";
import {
  DISCOVERABLE_KINDS,
  type DiscoverableKind,
  type DownloaderStatus,
  displayUrl,
  identifyAs,
  redactUrlsIn,
  signsInWithApiKey,
} from "@autostun/downloaders";
import type { ResolvedDownloader } from "@autostun/extension-host";
import {
  type ConfiguredDownloader,
  type DownloaderAdapter,
  type DownloaderIpv6Listening,
  type DownloaderPeer,
  type DownloaderProbeResult,
  type Downloaders,
  isDownloaderError,
  type Logger,
  localize,
} from "@autostun/plugins-api";

export interface ConfiguredDownloadersOptions {
  /** Every tunnel the daemon knows now: the config file's and those saved through the API. */
  tunnels: () => readonly TunnelConfig[];
  /** The adapter factory of a kind, through the extension host (activating its extension if needed). */
  resolve: (kind: string) => Promise<ResolvedDownloader>;
  logger: Logger;
  /** Longest a probe waits for the client, for all its requests together. */
  timeoutMs?: number;
  /**
   * The running tunnel's port push: the settings it logs in with and where it stands. Absent where no
   * relay runs (`doctor`), or undefined for a tunnel that is not running.
   */
  pushed?: (tunnelId: string) => { settings: DownloaderSettingsConfig; status: DownloaderStatus } | undefined;
}

type DownloaderSettingsConfig = NonNullable<TunnelConfig["downloader"]>;

/** A refusal of one set of login settings, kept so the same settings are not tried again. */
interface Refusal {
  /** A digest of the settings refused (not the secrets themselves). */
  digest: string;
  at: Date;
  result: DownloaderProbeResult;
}

/**
 * `Services.Downloaders`: the tunnels' downloader settings as checks may see them (no password), and a
 * probe that logs in with those settings through the same adapter the push uses, so "it answers and
 * takes the password" means what the push will meet.
 */
export class ConfiguredDownloaders implements Downloaders {
  /** Per tunnel, the last refusal this probe met itself. */
  private readonly refusals = new Map<string, Refusal>();

  constructor(private readonly options: ConfiguredDownloadersOptions) {}

  async list(): Promise<ConfiguredDownloader[]> {
    return this.withDownloader().map(({ id, downloader }) => ({
      tunnelId: id,
      kind: downloader.kind,
      url: displayUrl(downloader.url),
      hasCredentials: Boolean(downloader.username || downloader.password || downloader.apiKey),
      ...(signsInWithApiKey(downloader) ? { usesApiKey: true } : {}),
    }));
  }

  async probe(tunnelId: string, options: { signal?: AbortSignal } = {}): Promise<DownloaderProbeResult> {
    const tunnel = this.withDownloader().find((t) => t.id === tunnelId);
    if (!tunnel) throw new Error(`tunnel ${tunnelId} has no downloader configured`);
    const { downloader } = tunnel;
    const standing = await this.standingRefusal(tunnelId, downloader);
    if (standing) return standing;
    const result = await this.login(downloader, options);
    if (result.authOk === false)
      this.refusals.set(tunnelId, { digest: digestOf(downloader), at: new Date(), result });
    else this.refusals.delete(tunnelId);
    return result;
  }

  async peers(
    tunnelId: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ supported: boolean; peers: DownloaderPeer[]; error?: { kind: string; message: string } }> {
    const outcome = await this.withAdapter(tunnelId, options, async (adapter, signal) =>
      adapter.listPeers ? adapter.listPeers({ signal }) : undefined,
    );
    if ("error" in outcome) return { supported: true, peers: [], error: outcome.error };
    return outcome.value === undefined
      ? { supported: false, peers: [] }
      : { supported: true, peers: outcome.value };
  }

  async ipv6Listening(
    tunnelId: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<DownloaderIpv6Listening | { error: { kind: string; message: string } } | undefined> {
    const outcome = await this.withAdapter(tunnelId, options, async (adapter, signal) =>
      adapter.getIpv6Listening ? adapter.getIpv6Listening({ signal }) : undefined,
    );
    return "error" in outcome ? { error: outcome.error } : outcome.value;
  }

  async listenOnIpv6(tunnelId: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    const outcome = await this.withAdapter(tunnelId, options, async (adapter, signal) => {
      if (!adapter.listenOnIpv6) return false;
      await adapter.listenOnIpv6({ signal });
      return true;
    });
    if ("error" in outcome) throw new Error(outcome.error.message);
    if (!outcome.value)
      throw new Error(`the downloader of tunnel ${tunnelId} cannot be told to listen on IPv6`);
  }

  /**
   * Runs one call with the tunnel's own adapter, unless these settings were already refused (another
   * failed login brings the client's ban of this host closer). Failures come back as values.
   */
  private async withAdapter<T>(
    tunnelId: string,
    options: { signal?: AbortSignal },
    call: (adapter: DownloaderAdapter, signal: AbortSignal) => Promise<T>,
  ): Promise<{ value: T } | { error: { kind: string; message: string } }> {
    const tunnel = this.withDownloader().find((t) => t.id === tunnelId);
    if (!tunnel) throw new Error(`tunnel ${tunnelId} has no downloader configured`);
    const { downloader } = tunnel;
    const standing = await this.standingRefusal(tunnelId, downloader);
    if (standing?.error) return { error: standing.error };
    const made = await this.adapterFor(downloader);
    if ("error" in made) return made;
    const { adapter } = made;
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 8000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    try {
      return { value: await call(adapter, signal) };
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      const kind = isDownloaderError(error) ? error.kind : "UNREACHABLE";
      if (kind === "CREDENTIALS_REFUSED")
        this.refusals.set(tunnelId, {
          digest: digestOf(downloader),
          at: new Date(),
          result: {
            answered: true,
            authOk: false,
            addresses: await addressesOf(downloader.url),
            error: { kind, message: redactUrlsIn(withReason(error as Error)) },
          },
        });
      const message = timeout.aborted
        ? `${displayUrl(downloader.url)} did not answer within ${this.options.timeoutMs ?? 8000} ms`
        : redactUrlsIn(withReason(error as Error));
      return { error: { kind, message } };
    } finally {
      await this.logOut(adapter, downloader);
    }
  }

  /**
   * A refusal of exactly these settings that still stands, as the answer to give instead of logging in:
   * qBittorrent bans an address after a few failed logins (by default 5, for an hour), and a diagnosis
   * every few minutes with the same wrong password would get this host banned, the push included.
   * The push's own verdict counts, and so does an earlier probe's unless a push attempt came after it.
   */
  private async standingRefusal(
    tunnelId: string,
    downloader: DownloaderSettingsConfig,
  ): Promise<DownloaderProbeResult | undefined> {
    const digest = digestOf(downloader);
    const pushed = this.options.pushed?.(tunnelId);
    const push = pushed && digestOf(pushed.settings) === digest ? pushed.status : undefined;
    const pushAt = push?.lastPushAt?.getTime();
    let own = this.refusals.get(tunnelId);
    // Other settings since, or a push attempt after it (its outcome is newer): ours no longer stands.
    if (own && (own.digest !== digest || (pushAt !== undefined && pushAt > own.at.getTime()))) {
      this.refusals.delete(tunnelId);
      own = undefined;
    }
    const pushError = push?.state === "FAILED" ? push.error : undefined;
    if (
      pushError?.kind === "CREDENTIALS_REFUSED" &&
      pushAt !== undefined &&
      (!own || pushAt >= own.at.getTime())
    )
      return {
        answered: true,
        authOk: false,
        ...(own?.result.version ? { version: own.result.version } : {}),
        addresses: own?.result.addresses ?? (await addressesOf(downloader.url)),
        error: { kind: pushError.kind, message: pushError.message },
        reused: { by: "push", at: new Date(pushAt).toISOString() },
      };
    if (own) return { ...own.result, reused: { by: "probe", at: own.at.toISOString() } };
    return undefined;
  }

  private async login(
    downloader: DownloaderSettingsConfig,
    options: { signal?: AbortSignal },
  ): Promise<DownloaderProbeResult> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 8000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const addresses = await addressesOf(downloader.url);
    const made = await this.adapterFor(downloader);
    // The adapter refused these settings (a plugin's own check): nothing was asked. Thrown on, the
    // check would take the tunnel for one deleted meanwhile and leave it out of the verdict.
    if ("error" in made) return { answered: false, authOk: undefined, addresses, error: made.error };
    const { adapter } = made;
    try {
      const described = await adapter.describe({ signal }).catch((error: unknown) => {
        // A kept-alive connection the client closed meanwhile fails at once; a fresh one tells the truth.
        if (isDownloaderError(error) && error.kind === "UNREACHABLE" && closedUnderUs(error))
          return adapter.describe({ signal });
        throw error;
      });
      return {
        answered: true,
        authOk: true,
        client: described.client,
        version: described.version,
        addresses,
      };
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      const kind = isDownloaderError(error) ? error.kind : "UNREACHABLE";
      const message = timeout.aborted
        ? `${displayUrl(downloader.url)} did not answer within ${this.options.timeoutMs ?? 8000} ms`
        : // Adapters and their libraries put the whole URL, query secrets included, into messages.
          redactUrlsIn(withReason(error as Error));
      if (kind === "UNREACHABLE")
        return { answered: false, authOk: undefined, addresses, error: { kind, message } };
      // It refused us, but who it is and which version may still be told to anyone who asks.
      const known = await this.identify(downloader.kind, downloader.url, options.signal);
      return {
        answered: true,
        authOk: kind === "CREDENTIALS_REFUSED" ? false : undefined,
        ...(known?.version ? { version: known.version } : {}),
        addresses,
        error: { kind, message },
      };
    } finally {
      await this.logOut(adapter, downloader);
    }
  }

  /** The tunnel's own adapter, made through its extension; what refused to make one, as a value. */
  private async adapterFor(
    downloader: DownloaderSettingsConfig,
  ): Promise<{ adapter: DownloaderAdapter } | { error: { kind: string; message: string } }> {
    const resolved = await this.options.resolve(downloader.kind);
    if ("error" in resolved)
      return { error: { kind: "UNSUPPORTED", message: localize(resolved.error, "en") } };
    try {
      const adapter = resolved.factory(
        {
          url: downloader.url,
          username: downloader.username,
          password: downloader.password,
          ...(downloader.apiKey ? { apiKey: downloader.apiKey } : {}),
        },
        { logger: this.options.logger },
      );
      return { adapter };
    } catch (error) {
      const message = redactUrlsIn(error instanceof Error ? error.message : String(error));
      return { error: { kind: "UNSUPPORTED", message } };
    }
  }

  private async logOut(adapter: DownloaderAdapter, downloader: DownloaderSettingsConfig): Promise<void> {
    try {
      await adapter.dispose?.();
    } catch (error) {
      this.options.logger.debug(
        `logging out of ${displayUrl(downloader.url)} failed: ${(error as Error).message}`,
      );
    }
  }

  private withDownloader() {
    return this.options
      .tunnels()
      .flatMap((t) => (t.downloader ? [{ id: t.id, downloader: t.downloader }] : []));
  }

  private async identify(kind: string, url: string, signal: AbortSignal | undefined) {
    if (!(DISCOVERABLE_KINDS as readonly string[]).includes(kind)) return undefined;
    try {
      return await identifyAs(kind as DiscoverableKind, url, {
        timeoutMs: 2000,
        ...(signal ? { signal } : {}),
      });
    } catch {
      return undefined;
    }
  }
}

/** The fields a login uses: the same ones mean the same answer from the client. */
function loginOf(settings: DownloaderSettingsConfig) {
  return {
    kind: settings.kind,
    url: settings.url,
    username: settings.username ?? "",
    password: settings.password ?? "",
    apiKey: settings.apiKey ?? "",
  };
}

/** Kept instead of the secrets themselves, which this memory has no reason to hold. */
function digestOf(settings: DownloaderSettingsConfig): string {
  return createHash("sha256")
    .update(JSON.stringify(loginOf(settings)))
    .digest("hex");
}

/** The connection was closed or reset by the other side (a stale kept-alive one), not refused or silent. */
function closedUnderUs(error: unknown): boolean {
  const code = (error as { cause?: { cause?: { code?: unknown } } })?.cause?.cause?.code;
  return code === "UND_ERR_SOCKET" || code === "ECONNRESET";
}

/**
 * fetch() says only "fetch failed" for what it refuses itself (a port browsers block, such as 1 or 6000);
 * the reason is one level further down.
 */
function withReason(error: Error): string {
  const inner = (error as { cause?: { cause?: { message?: unknown } } }).cause?.cause?.message;
  return error.message.endsWith("fetch failed") && typeof inner === "string"
    ? `${error.message}: ${inner}`
    : error.message;
}

/** What the URL's host stands for; a name that does not resolve stands for nothing (and will not answer). */
async function addressesOf(url: string): Promise<string[]> {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return [];
  }
  if (isIP(host)) return [host];
  try {
    return (await lookup(host, { all: true })).map((entry) => entry.address);
  } catch {
    return [];
  }
}

/**
 * The tunnels a check or discovery should know about: the running ones (config file and API) and, before
 * the relay has started (as in `autostun doctor`), the config file's.
 */
export function knownTunnels(running: readonly TunnelConfig[], fromFile: readonly TunnelConfig[]) {
  const byId = new Map(fromFile.map((t) => [t.id, t]));
  for (const tunnel of running) byId.set(tunnel.id, tunnel);
  return [...byId.values()];
}
