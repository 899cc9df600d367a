/**
 * Downloader adapters: how AutoSTUN tells a BitTorrent client which port to listen on and announce. A
 * plugin declares each kind in `contributes.downloaders` and provides it on activation with
 * `context.registerDownloader(kind, factory)`; the host makes one adapter per configured tunnel.
 */

import type { Logger } from "./logger.js";

/** Where a configured downloader's API is and how to log in. Never logged or returned by the API. */
export interface DownloaderSettings {
  /** Base URL of the client's Web UI or RPC endpoint, e.g. `http://127.0.0.1:8080`. */
  url: string;
  username?: string;
  /** The password, or the RPC secret for clients that have only a secret (aria2). */
  password?: string;
  /** An API key sent as a bearer token instead of logging in (qBittorrent 5.2+; since 1.6.0); adapters without one ignore it. */
  apiKey?: string;
}

/** What an adapter gets from the host besides the settings. */
export interface DownloaderFactoryContext {
  /** Where the adapter may write lines that help a user; fields named like secrets are redacted. */
  readonly logger: Logger;
}

/** Every call to a downloader takes a signal: the push gives up on a client that does not answer. */
export interface DownloaderCallOptions {
  signal?: AbortSignal;
}

/** Which client answered, as its own API names itself. */
export interface DownloaderDescription {
  /** The product, e.g. `qBittorrent`. */
  client: string;
  /** Its version as it reports it, e.g. `4.5.2`. */
  version: string;
  /** The version of its API, where it has one apart from the product's (qBittorrent's WebAPI). */
  apiVersion?: string;
}

/** One configured downloader, talked to through its own API. */
export interface DownloaderAdapter {
  describe(options?: DownloaderCallOptions): Promise<DownloaderDescription>;
  /** The incoming (peer) port the client says it uses. */
  getListenPort(options?: DownloaderCallOptions): Promise<number>;
  /** Asks the client to listen on `port` for peers (and announce it, where it has no announce port). */
  setListenPort(port: number, options?: DownloaderCallOptions): Promise<void>;
  /** Asks the client to tell its trackers the new port now; absent when the client has no such call. */
  reannounce?(options?: DownloaderCallOptions): Promise<void>;
  /**
   * The peers the client is connected to now, over all its torrents (since 1.9.0); absent when its API
   * lists no peers. A client that cannot tell which peers came in leaves `incoming` undefined.
   */
  listPeers?(options?: DownloaderCallOptions): Promise<DownloaderPeer[]>;
  /** Whether the client accepts peers over IPv6, as its own settings say (since 1.9.0). */
  getIpv6Listening?(options?: DownloaderCallOptions): Promise<DownloaderIpv6Listening>;
  /**
   * Changes the client's settings so it accepts peers over IPv6 too (since 1.9.0). Only ever called
   * after the user confirmed it; throws `UNSUPPORTED` where the client's API cannot change it.
   */
  listenOnIpv6?(options?: DownloaderCallOptions): Promise<void>;
  /** Ends the session with the client (logout); called when the tunnel stops or its settings change. */
  dispose?(): void | Promise<void>;
}

/** One peer connection of a downloader, as its API lists it (since 1.9.0). */
export interface DownloaderPeer {
  /** The peer's address, `ip:port` or `[ipv6]:port`, as the client sees it. */
  address: string;
  /** True when the peer connected to the client; undefined when the client does not say. */
  incoming: boolean | undefined;
  /** How the connection runs, when the client says. */
  transport?: "TCP" | "UTP";
  /** The peer's client name, when it sent one. */
  client?: string;
  /** The info hash of the torrent the peer is connected for, lower-case hex. */
  infoHash?: string;
}

/** Whether a downloader accepts peers over IPv6, and the setting that decides it (since 1.9.0). */
export interface DownloaderIpv6Listening {
  /** True or false as the settings say; undefined when they do not decide it (e.g. a named interface). */
  listens: boolean | undefined;
  /** The client's own setting and value that decide it, e.g. `current_interface_address = 0.0.0.0`. */
  setting: string;
  /** True when `listenOnIpv6` can change it through the client's API (false: only its config file can). */
  changeable: boolean;
}

/** Makes the adapter for one configured downloader. Called again when the settings change. */
export type DownloaderFactory = (
  settings: Readonly<DownloaderSettings>,
  context: DownloaderFactoryContext,
) => DownloaderAdapter;

/**
 * Why a call to a downloader did not do what was asked:
 * - `CREDENTIALS_REFUSED`: the client answered and refused the user name, password or secret.
 * - `UNREACHABLE`: nothing answered at the URL (down, wrong address, timed out) or it is not that client.
 * - `IGNORED_CHANGE`: the client accepted the new port but does not use it (aria2 before a restart).
 * - `UNSUPPORTED`: the client or its version cannot do what was asked.
 */
export const DOWNLOADER_ERROR_KINDS = [
  "CREDENTIALS_REFUSED",
  "UNREACHABLE",
  "IGNORED_CHANGE",
  "UNSUPPORTED",
] as const;

export type DownloaderErrorKind = (typeof DOWNLOADER_ERROR_KINDS)[number];

/** The error an adapter throws so the host can tell the user which of the kinds went wrong. */
export class DownloaderError extends Error {
  override readonly name = "DownloaderError";
  constructor(
    readonly kind: DownloaderErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * True for a {@link DownloaderError}, also one made by another copy of this package (a plugin may
 * bundle its own): it looks at the shape, not at the class.
 */
export function isDownloaderError(error: unknown): error is DownloaderError {
  if (typeof error !== "object" || error === null) return false;
  const { name, kind } = error as { name?: unknown; kind?: unknown };
  return name === "DownloaderError" && (DOWNLOADER_ERROR_KINDS as readonly unknown[]).includes(kind);
}
