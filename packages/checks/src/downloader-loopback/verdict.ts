import type {
  CheckResult,
  ConfiguredDownloader,
  DownloaderProbeResult,
  Guidance,
  MessageParams,
  VerdictStatus,
} from "@autostun/plugins-api";
import { GUIDE_LINKS } from "../user-guide/links.js";
import { messages } from "./messages.js";

/** Where a downloader's URL points, seen from this host. */
export type Location = "loopback" | "this-host" | "elsewhere";

/** Why a downloader is not fine; `remote` still works, the others stop the port push. */
export type Reason = "unreachable" | "credentials" | "unsupported" | "remote";

export interface ProbedDownloader {
  downloader: ConfiguredDownloader;
  probe: DownloaderProbeResult;
}

const isLoopback = (address: string) =>
  address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");

/** Loopback only when every address the name stands for is; one of ours makes it this host. */
export function locate(addresses: readonly string[], own: ReadonlySet<string>): Location {
  if (addresses.length > 0 && addresses.every(isLoopback)) return "loopback";
  if (addresses.some((address) => own.has(address) || isLoopback(address))) return "this-host";
  return "elsewhere";
}

interface Judged extends ProbedDownloader {
  status: VerdictStatus;
  reason?: Reason;
  location: Location;
}

function judge(entry: ProbedDownloader, own: ReadonlySet<string>): Judged {
  const location = locate(entry.probe.addresses, own);
  const { probe } = entry;
  if (!probe.answered)
    return {
      ...entry,
      location,
      status: "FAIL",
      reason: probe.error?.kind === "UNSUPPORTED" ? "unsupported" : "unreachable",
    };
  if (probe.authOk === false) return { ...entry, location, status: "FAIL", reason: "credentials" };
  if (probe.authOk !== true) return { ...entry, location, status: "FAIL", reason: "unsupported" };
  if (location === "elsewhere") return { ...entry, location, status: "WARN", reason: "remote" };
  return { ...entry, location, status: "PASS" };
}

const RANK: Partial<Record<VerdictStatus, number>> = { FAIL: 2, WARN: 1, PASS: 0 };

function portOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.port || (parsed.protocol === "https:" ? "443" : "80");
  } catch {
    return "";
  }
}

/**
 * The verdict over every configured downloader: the worst one decides the status, summary and
 * guidance; all of them are in the facts.
 */
export function decideLoopback(
  entries: readonly ProbedDownloader[],
  ownAddresses: readonly string[],
): CheckResult {
  if (entries.length === 0)
    return {
      status: "SKIP",
      summary: messages.text("summary.none"),
      facts: { downloaders: [] },
      guidance: guidance("guidance.none", {}),
    };
  const own = new Set(ownAddresses);
  const judged = entries.map((entry) => judge(entry, own));
  const worst = judged.reduce((a, b) => ((RANK[b.status] ?? 0) > (RANK[a.status] ?? 0) ? b : a));
  const { downloader, probe } = worst;
  const params = {
    kind: downloader.kind,
    client: [probe.client ?? downloader.kind, probe.version].filter(Boolean).join(" "),
    url: downloader.url,
    tunnel: downloader.tunnelId,
    addresses: probe.addresses.join(", ") || "-",
    error: probe.error?.message ?? "-",
    port: portOf(downloader.url),
  };
  // A refused API key is said as such: the tunnel sent no user name or password to refuse.
  const reason =
    worst.reason === "credentials" && downloader.usesApiKey ? "credentials-api-key" : worst.reason;
  const key = reason ?? worst.location;
  // The refusal was not asked for again (it would bring the client's ban of this host closer): say so.
  const reused = (reason === "credentials" || reason === "credentials-api-key") && probe.reused;
  const reusedParams = reused ? { ...params, at: reused.at, by: messages.text(`by.${reused.by}`) } : params;
  const said = messages.text(`summary.${key}`, params);
  const single = reused ? messages.text("summary.not-retried", { ...reusedParams, summary: said }) : said;
  const facts = (entry: Judged) => ({
    tunnelId: entry.downloader.tunnelId,
    kind: entry.downloader.kind,
    url: entry.downloader.url,
    version: entry.probe.version ?? null,
    answered: entry.probe.answered,
    authOk: entry.probe.authOk ?? null,
    location: entry.location,
    addresses: entry.probe.addresses,
    error: entry.probe.error ?? null,
    /** When the verdict is an earlier refusal of the same settings, who met it and when; else null. */
    reused: entry.probe.reused ?? null,
  });
  return {
    status: worst.status,
    summary:
      judged.length > 1 ? messages.text("summary.more", { summary: single, count: judged.length }) : single,
    facts: { ...facts(worst), downloaders: judged.map(facts) },
    ...(reason ? { guidance: guidance(`guidance.${reason}`, reusedParams, Boolean(reused)) } : {}),
  };
}

function guidance(key: string, params: MessageParams, notRetried = false): Guidance {
  return {
    title: messages.text(`${key}.title`, params),
    steps: [
      ...messages.steps(`${key}.steps`, params),
      ...(notRetried ? messages.steps("guidance.not-retried.steps", params) : []),
    ],
    docs: GUIDE_LINKS.publicIp,
  };
}
