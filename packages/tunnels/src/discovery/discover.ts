import { isIP } from "node:net";
import {
  acceptsConnections,
  type IdentifiedDownloader,
  type IdentifyOptions,
  identifyDownloader,
} from "@autostun/downloaders";
import type { InterfaceAddress } from "@autostun/plugins-api";

/** The ports the four clients' Web UI / RPC use out of the box. */
export const DEFAULT_DOWNLOADER_PORTS = [
  { kind: "qbittorrent", port: 8080 },
  { kind: "transmission", port: 9091 },
  { kind: "deluge", port: 8112 },
  { kind: "aria2", port: 6800 },
] as const;

/** One downloader found on this host, as `Query.discoveredDownloaders` shows it. */
export interface DiscoveredDownloader {
  kind: string;
  url: string;
  version: string | null;
  needsCredentials: boolean;
  /** A tunnel already pushes to this client (same kind and port on this host). */
  alreadyConfigured: boolean;
}

export interface DiscoveryInput {
  /** This host's own addresses (every interface); nothing else is ever probed. */
  addresses: readonly InterfaceAddress[];
  /** Downloaders tunnels are set up with: their ports are probed too when they are on this host. */
  configured: readonly { kind: string; url: string }[];
  signal?: AbortSignal;
  /** Per connection attempt and per HTTP request. */
  timeoutMs?: number;
  /** Tests count what is probed through this; the daemon uses the real identification. */
  identify?: (url: string, options: IdentifyOptions) => Promise<IdentifiedDownloader | undefined>;
  connectable?: (host: string, port: number, signal?: AbortSignal) => Promise<boolean>;
}

function hostOf(url: string): string | undefined {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
    return host === "localhost" ? "127.0.0.1" : host;
  } catch {
    return undefined;
  }
}

function portOf(url: string): number | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.port) return Number(parsed.port);
    return parsed.protocol === "https:" ? 443 : 80;
  } catch {
    return undefined;
  }
}

/** Link-local IPv6 needs a zone to be reached and holds nothing a user configures a downloader on. */
function probeable(address: InterfaceAddress): boolean {
  return !(address.family === "IPv6" && /^fe80:/i.test(address.address));
}

function urlFor(host: string, port: number): string {
  return `http://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

const isLoopback = (host: string) => host === "::1" || host.startsWith("127.");

/**
 * Looks for downloaders on this host: every own address (loopback first) on the four default ports and
 * on the ports of configured downloaders that are on this host. Candidates are tried in parallel, each
 * with a short timeout; a port that takes a connection is then identified by its API's answer, so a
 * different program on 8080 is not taken for qBittorrent. A client reachable on several addresses is
 * listed once, under loopback when it answers there.
 */
export async function discoverDownloaders(input: DiscoveryInput): Promise<DiscoveredDownloader[]> {
  const timeoutMs = input.timeoutMs ?? 3000;
  const identify = input.identify ?? identifyDownloader;
  const connectable = input.connectable ?? acceptsConnections;
  const own = new Set(["127.0.0.1", ...input.addresses.filter(probeable).map((a) => a.address)]);
  const onThisHost = (host: string | undefined): host is string =>
    host !== undefined && (own.has(host) || isLoopback(host));

  const candidates = new Map<string, { host: string; port: number; url: string }>();
  const add = (host: string, port: number, url = urlFor(host, port)) => {
    candidates.set(url, { host, port, url });
  };
  const ports = new Set<number>(DEFAULT_DOWNLOADER_PORTS.map((entry) => entry.port));
  for (const configured of input.configured) {
    const host = hostOf(configured.url);
    const port = portOf(configured.url);
    if (!onThisHost(host) || port === undefined) continue;
    ports.add(port);
    // Its own URL as well: it may carry a sub-path (a client behind a local reverse proxy).
    add(host, port, configured.url.replace(/\/+$/, ""));
  }
  for (const host of own) for (const port of ports) add(host, port);

  const signal = input.signal;
  const found = await Promise.all(
    [...candidates.values()].map(async (candidate) => {
      if (!(await connectable(candidate.host, candidate.port, signal))) return undefined;
      const identified = await identify(candidate.url, { timeoutMs, ...(signal ? { signal } : {}) });
      return identified ? { ...identified, host: candidate.host, port: candidate.port } : undefined;
    }),
  );

  const byClient = new Map<string, (typeof found)[number] & object>();
  for (const entry of found) {
    if (!entry) continue;
    const key = `${entry.kind}:${entry.port}`;
    const kept = byClient.get(key);
    if (!kept || (isLoopback(entry.host) && !isLoopback(kept.host))) byClient.set(key, entry);
  }
  return [...byClient.values()]
    .map((entry) => ({
      kind: entry.kind,
      url: entry.url,
      version: entry.version ?? null,
      needsCredentials: entry.needsCredentials,
      alreadyConfigured: input.configured.some(
        (c) => c.kind === entry.kind && portOf(c.url) === entry.port && onThisHost(hostOf(c.url)),
      ),
    }))
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.url.localeCompare(b.url));
}
