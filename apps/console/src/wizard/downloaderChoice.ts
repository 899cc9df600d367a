import type { DiscoveredDownloader, TunnelInput } from "./types.js";

/** Downloaders the daemon can push the public port into, as `downloader.kind` names them. */
export const DOWNLOADER_KINDS = ["qbittorrent", "transmission", "deluge", "aria2"] as const;
export type DownloaderKind = (typeof DOWNLOADER_KINDS)[number];

/** Product names, the same in every language. */
export const DOWNLOADER_NAMES: Readonly<Record<DownloaderKind, string>> = {
  qbittorrent: "qBittorrent",
  transmission: "Transmission",
  deluge: "Deluge",
  aria2: "aria2",
};

export function isDownloaderKind(value: unknown): value is DownloaderKind {
  return typeof value === "string" && (DOWNLOADER_KINDS as readonly string[]).includes(value);
}

/** What the downloader step collects. Held in memory only: the password never reaches storage. */
export interface DownloaderForm {
  /** "none": the user sets the port in their downloader by hand; the tunnel only forwards. */
  kind: DownloaderKind | "none";
  url: string;
  username: string;
  password: string;
  /** qBittorrent 5.2+ only: an API key the daemon sends instead of logging in; "" for none. */
  apiKey: string;
  /** Where peers go: the downloader's BitTorrent listening address, "host:port". */
  target: string;
}

/** A fresh form, from a discovered downloader when there is one. */
export function formFor(found: Pick<DiscoveredDownloader, "kind" | "url"> | undefined): DownloaderForm {
  const kind = found && isDownloaderKind(found.kind) ? found.kind : "qbittorrent";
  return { kind, url: found?.url ?? "", username: "", password: "", apiKey: "", target: "127.0.0.1:6881" };
}

/** Field name -> what is wrong with it, as a message key suffix. Empty when the form can be used. */
export type FormProblems = Partial<Record<"url" | "target", "url" | "target">>;

/** Checks what the daemon would refuse anyway, so the user learns it beside the field. */
export function formProblems(form: DownloaderForm): FormProblems {
  const problems: FormProblems = {};
  if (form.kind !== "none" && !isWebUrl(form.url)) problems.url = "url";
  if (!isHostPort(form.target)) problems.target = "target";
  return problems;
}

function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value.trim());
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

/** "host:port" or "[v6]:port" with a port from 1 to 65535. */
export function isHostPort(value: string): boolean {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/.exec(value.trim());
  if (!match) return false;
  const port = Number(match[2]);
  return port >= 1 && port <= 65_535;
}

/** The id the wizard gives the tunnel it creates: one per downloader kind, readable in logs. */
export function tunnelIdFor(form: DownloaderForm): string {
  return form.kind === "none" ? "autostun" : form.kind;
}

/** Only qBittorrent takes an API key; a key typed before switching to another kind is not sent. */
export function takesApiKey(kind: DownloaderForm["kind"]): boolean {
  return kind === "qbittorrent";
}

/**
 * The `saveTunnel` input. The downloader part is left out for "none" (the user pushes the port), and
 * empty credentials are left out so the daemon's defaults apply. A pasted API key loses the spaces or
 * line break copied around it (a key never holds one).
 */
export function tunnelInputFor(form: DownloaderForm): TunnelInput {
  const input: TunnelInput = { id: tunnelIdFor(form), target: form.target.trim() };
  if (form.kind !== "none") {
    const downloader: NonNullable<TunnelInput["downloader"]> = { kind: form.kind, url: form.url.trim() };
    if (form.username) downloader.username = form.username;
    if (form.password) downloader.password = form.password;
    const apiKey = form.apiKey.trim();
    if (apiKey && takesApiKey(form.kind)) downloader.apiKey = apiKey;
    input.downloader = downloader;
  }
  return input;
}
