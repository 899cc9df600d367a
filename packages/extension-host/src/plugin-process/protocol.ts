import type {
  CheckOutcome,
  DownloaderErrorKind,
  DownloaderSettings,
  ExtensionManifest,
  LocalizedText,
  Services,
} from "@autostun/plugins-api";

/**
 * The messages between the daemon and a plugin's own process. Everything here crosses Node's IPC as JSON,
 * so it holds plain data only: functions, symbols and AbortSignals are mapped to ids and cancel messages.
 */

/** Largest message a plugin's process sends; bigger ones are refused before they reach the daemon. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Services whose value is plain data: copied into the plugin's process when it starts. */
export const DATA_SERVICES = [
  "StunSettings",
  "HostInfo",
] as const satisfies readonly (keyof typeof Services)[];

/** Services with async methods: each call is a request back to the daemon, which owns the real one. */
export const SERVICE_METHODS = {
  SystemFiles: ["readText", "exists", "list"],
  CommandRunner: ["run"],
  NetworkInfo: ["addresses"],
  TunnelPorts: ["localPorts"],
  TunnelActivity: ["tunnels"],
  Downloaders: ["list", "probe"],
  UpnpGateway: ["probe"],
} as const satisfies Partial<Record<keyof typeof Services, readonly string[]>>;

export type DataServiceName = (typeof DATA_SERVICES)[number];
export type CallableServiceName = keyof typeof SERVICE_METHODS;

/** Requests the daemon sends to a plugin's process. */
export const ToPlugin = {
  ping: "ping",
  activate: "activate",
  runCheck: "check.run",
  applyRemedy: "remedy.apply",
  runGatherer: "gatherer.run",
  createDownloader: "downloader.create",
  callDownloader: "downloader.call",
  disposeDownloader: "downloader.dispose",
  deactivate: "deactivate",
} as const;

/** Requests and notifications a plugin's process sends to the daemon. */
export const ToDaemon = {
  ready: "ready",
  register: "register",
  unregister: "unregister",
  log: "log",
  fault: "fault",
  gather: "gather",
  callService: "service.call",
} as const;

export interface ActivateParams {
  mainPath: string;
  extensionId: string;
  extensionPath: string;
  manifest: ExtensionManifest;
  config: Record<string, unknown>;
  apiVersion: string;
  /** The values of {@link DATA_SERVICES} the daemon offers; a missing one is not offered. */
  data: Partial<Record<DataServiceName, unknown>>;
}

export type ActivateResult = { ok: true } | { ok: false; phase: "load" | "activate"; message: LocalizedText };

/**
 * A scope stands for one call the daemon made with a context (a check run, a gatherer, a remedy): the
 * plugin names it when it asks for `gather()` or logs, so the daemon answers from that call's context.
 */
export interface RunCheckParams {
  checkId: string;
  scope: number;
  /** Outcomes of the checks listed in `dependsOn`, for `context.dependency(id)`. */
  dependencies: Record<string, CheckOutcome>;
}

export interface RunGathererParams {
  gathererId: string;
  scope: number;
}

export interface ApplyRemedyParams {
  checkId: string;
  remedyId: string;
  scope: number;
}

export interface RegisterParams {
  kind: "check" | "gatherer" | "downloader";
  id: string;
  /** For checks: whether the implementation can apply remedies. */
  hasRemedy?: boolean;
}

export interface GatherParams {
  scope: number;
  gathererId: string;
}

export interface ServiceCallParams {
  service: string;
  method: string;
  args: unknown[];
}

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogParams {
  level: LogLevel;
  message: string;
  fields?: Record<string, unknown>;
  scope?: number;
}

export interface FaultParams {
  kind: "uncaught exception" | "unhandled rejection";
  message: string;
}

/** Makes an adapter of `kind` in the plugin's process; the daemon names it by `instance` from then on. */
export interface CreateDownloaderParams {
  kind: string;
  instance: number;
  settings: DownloaderSettings;
}

/** The adapter methods the daemon may call across the pipe; each takes at most a port besides the signal. */
export const DOWNLOADER_METHODS = ["describe", "getListenPort", "setListenPort", "reannounce"] as const;
export type DownloaderMethod = (typeof DOWNLOADER_METHODS)[number];

export interface CallDownloaderParams {
  instance: number;
  method: DownloaderMethod;
  port?: number;
}

/**
 * An adapter's answer. A DownloaderError becomes `{ ok: false, kind }` so its kind survives the pipe,
 * which carries only the message of a thrown error.
 */
export type CallDownloaderAnswer =
  | { ok: true; value?: unknown }
  | { ok: false; kind?: DownloaderErrorKind; message: string };

export interface DisposeDownloaderParams {
  instance: number;
}
