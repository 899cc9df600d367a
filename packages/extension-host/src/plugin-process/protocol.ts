import {
  type ActivationEvent,
  CHECK_STATUSES,
  type CheckOutcome,
  DOWNLOADER_ERROR_KINDS,
  type DownloaderDescription,
  type DownloaderErrorKind,
  type DownloaderSettings,
  type ExtensionManifest,
  type LocalizedText,
  type RemedyOutcome,
} from "@autostun/plugins-api";
import { REGISTRATION_KINDS, type RegistrationKind } from "../contributions/registration-kind.js";
import {
  either,
  type Guard,
  isAnything,
  isBoolean,
  isLocalizedText,
  isNumber,
  isRecord,
  isString,
  listOf,
  oneOf,
  optional,
  recordOf,
  shape,
} from "./guards.js";

export { REGISTRATION_KINDS, type RegistrationKind };

/**
 * The messages between the daemon and a plugin's own process. Everything here crosses Node's IPC as JSON,
 * so it holds plain data only: functions, symbols and AbortSignals are mapped to ids and cancel messages.
 *
 * Each direction is a method map: the wire name of every request with the type of its params and of its
 * answer, and of every notification. The guards beside the types are what the receiving end checks a
 * message against before a handler sees it, so a handler gets its params' type, and a caller its answer's
 * type, without a cast on either side.
 */

/** Largest message a plugin's process sends; bigger ones are refused before they reach the daemon. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Services whose value is plain data: copied into the plugin's process when it starts. */
export type DataServiceName = "StunSettings" | "HostInfo";
export const DATA_SERVICES: readonly DataServiceName[] = ["StunSettings", "HostInfo"];

/** Services with async methods: each call is a request back to the daemon, which owns the real one. */
export const SERVICE_METHODS = {
  SystemFiles: ["readText", "exists", "list"],
  CommandRunner: ["run"],
  NetworkInfo: ["addresses"],
  TunnelPorts: ["localPorts"],
  TunnelActivity: ["tunnels"],
  Downloaders: ["list", "probe", "peers", "ipv6Listening", "listenOnIpv6"],
  UpnpGateway: ["probe"],
} satisfies Record<string, readonly string[]>;

export type CallableServiceName = keyof typeof SERVICE_METHODS;
export const CALLABLE_SERVICES: readonly CallableServiceName[] = [
  "SystemFiles",
  "CommandRunner",
  "NetworkInfo",
  "TunnelPorts",
  "TunnelActivity",
  "Downloaders",
  "UpnpGateway",
];

export function isDataService(name: string): name is DataServiceName {
  return DATA_SERVICES.some((service) => service === name);
}

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

/** What a check run sends back: the result, or why it cannot be used (measured there, before sending). */
export type RunCheckAnswer = { result: unknown } | { problem: LocalizedText };

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
  kind: RegistrationKind;
  id: string;
  /** For checks: whether the implementation can apply remedies. */
  hasRemedy?: boolean;
  /**
   * Why the plugin's process already refused this registration (the value it was given is not usable, or
   * the manifest does not declare it): the daemon reports it like any refusal of its own.
   */
  problem?: string;
}

export interface UnregisterParams {
  kind: RegistrationKind;
  id: string;
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

export type LogLevel = "debug" | "info" | "warn" | "error";
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

export interface LogParams {
  level: LogLevel;
  message: string;
  fields?: Record<string, unknown>;
  scope?: number;
}

export type FaultKind = "uncaught exception" | "unhandled rejection";

export interface FaultParams {
  kind: FaultKind;
  message: string;
}

/** Makes an adapter of `kind` in the plugin's process; the daemon names it by `instance` from then on. */
export interface CreateDownloaderParams {
  kind: string;
  instance: number;
  settings: DownloaderSettings;
}

/** The adapter methods the daemon may call across the pipe; each takes at most a port besides the signal. */
export type DownloaderMethod = "describe" | "getListenPort" | "setListenPort" | "reannounce";
export const DOWNLOADER_METHODS: readonly DownloaderMethod[] = [
  "describe",
  "getListenPort",
  "setListenPort",
  "reannounce",
];

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

// ---- guards: what the receiving end checks before a handler or a caller sees a message ----

const isTrue = (value: unknown): value is true => value === true;
const isFalse = (value: unknown): value is false => value === false;
const isEmpty = (value: unknown): value is Record<string, never> => isRecord(value);

function isActivationEvent(value: unknown): value is ActivationEvent {
  return isString(value) && (value === "*" || value === "onStartup" || /^on(Check|Gatherer):./.test(value));
}

const isManifest: Guard<ExtensionManifest> = shape({
  engines: shape({ autostun: isString }),
  displayName: optional(isString),
  main: optional(isString),
  activationEvents: optional(listOf(isActivationEvent)),
  contributes: optional(
    shape({
      checks: optional(listOf(shape({ id: isString, title: isString, category: isString }))),
      gatherers: optional(listOf(shape({ id: isString }))),
      downloaders: optional(listOf(shape({ kind: isString }))),
    }),
  ),
});

const isActivateParams: Guard<ActivateParams> = shape({
  mainPath: isString,
  extensionId: isString,
  extensionPath: isString,
  manifest: isManifest,
  config: isRecord,
  apiVersion: isString,
  data: isRecord,
});

const isActivateResult: Guard<ActivateResult> = either(
  shape({ ok: isTrue }),
  shape({
    ok: isFalse,
    phase: oneOf(["load", "activate"]),
    message: isLocalizedText,
  }),
);

const isCheckOutcome: Guard<CheckOutcome> = shape({
  id: isString,
  status: oneOf(CHECK_STATUSES),
  summary: isLocalizedText,
  facts: isRecord,
});

const isRunCheckParams: Guard<RunCheckParams> = shape({
  checkId: isString,
  scope: isNumber,
  dependencies: recordOf(isCheckOutcome),
});

const isRunCheckAnswer: Guard<RunCheckAnswer> = either(
  shape({ result: isAnything }),
  shape({ problem: isLocalizedText }),
);

const isRunGathererParams: Guard<RunGathererParams> = shape({ gathererId: isString, scope: isNumber });

const isApplyRemedyParams: Guard<ApplyRemedyParams> = shape({
  checkId: isString,
  remedyId: isString,
  scope: isNumber,
});

const isRemedyOutcome: Guard<RemedyOutcome> = shape({ ok: isBoolean, message: isLocalizedText });

const isCreateDownloaderParams: Guard<CreateDownloaderParams> = shape({
  kind: isString,
  instance: isNumber,
  settings: shape({
    url: isString,
    username: optional(isString),
    password: optional(isString),
    apiKey: optional(isString),
  }),
});

const isDownloaderMethod = oneOf(DOWNLOADER_METHODS);

const isCallDownloaderParams: Guard<CallDownloaderParams> = shape({
  instance: isNumber,
  method: isDownloaderMethod,
  port: optional(isNumber),
});

const isCallDownloaderAnswer: Guard<CallDownloaderAnswer> = either(
  shape({ ok: isTrue, value: isAnything }),
  shape({
    ok: isFalse,
    kind: optional(oneOf(DOWNLOADER_ERROR_KINDS)),
    message: isString,
  }),
);

export const isDownloaderDescription: Guard<DownloaderDescription> = shape({
  client: isString,
  version: isString,
  apiVersion: optional(isString),
});

const isRegistrationKind = oneOf(REGISTRATION_KINDS);

const isRegisterParams: Guard<RegisterParams> = shape({
  kind: isRegistrationKind,
  id: isString,
  hasRemedy: optional(isBoolean),
  problem: optional(isString),
});

const isUnregisterParams: Guard<UnregisterParams> = shape({ kind: isRegistrationKind, id: isString });

const isLogParams: Guard<LogParams> = shape({
  level: oneOf(LOG_LEVELS),
  message: isString,
  fields: optional(isRecord),
  scope: optional(isNumber),
});

const isFaultParams: Guard<FaultParams> = shape({
  kind: oneOf(["uncaught exception", "unhandled rejection"]),
  message: isString,
});

const isServiceCallParams: Guard<ServiceCallParams> = shape({
  service: isString,
  method: isString,
  args: listOf(isAnything),
});

// ---- the method maps ----

/** One request: the type of its params and of its answer. */
export interface MethodSpec {
  params: unknown;
  result: unknown;
}
export type RequestMap = Record<string, MethodSpec>;
export type NoteMap = Record<string, unknown>;

/** What one end sends: its requests (with their answers) and its notifications. */
export interface Direction {
  requests: RequestMap;
  notes: NoteMap;
}

/** The guards of one direction, one per params, answer and notification. */
export interface DirectionGuards<D extends Direction> {
  requests: {
    [M in keyof D["requests"]]: {
      params: Guard<D["requests"][M]["params"]>;
      result: Guard<D["requests"][M]["result"]>;
    };
  };
  notes: { [N in keyof D["notes"]]: Guard<D["notes"][N]> };
}

/** What the daemon asks of a plugin's process. */
export type ToPlugin = {
  requests: {
    ping: { params: Record<string, never>; result: unknown };
    activate: { params: ActivateParams; result: ActivateResult };
    "check.run": { params: RunCheckParams; result: RunCheckAnswer };
    "remedy.apply": { params: ApplyRemedyParams; result: RemedyOutcome };
    "gatherer.run": { params: RunGathererParams; result: unknown };
    /** Answers which of the optional adapter methods the plugin's adapter has. */
    "downloader.create": { params: CreateDownloaderParams; result: DownloaderMethod[] };
    "downloader.call": { params: CallDownloaderParams; result: CallDownloaderAnswer };
    "downloader.dispose": { params: DisposeDownloaderParams; result: unknown };
    /** Answers the problems `deactivate()` and the subscriptions' `dispose()` had. */
    deactivate: { params: Record<string, never>; result: string[] };
  };
  notes: Record<string, never>;
};

/** What a plugin's process asks of the daemon, and tells it. */
export type ToDaemon = {
  requests: {
    gather: { params: GatherParams; result: unknown };
    "service.call": { params: ServiceCallParams; result: unknown };
  };
  notes: {
    ready: { pid: number };
    register: RegisterParams;
    unregister: UnregisterParams;
    log: LogParams;
    fault: FaultParams;
  };
};

export const TO_PLUGIN: DirectionGuards<ToPlugin> = {
  requests: {
    ping: { params: isEmpty, result: isAnything },
    activate: { params: isActivateParams, result: isActivateResult },
    "check.run": { params: isRunCheckParams, result: isRunCheckAnswer },
    "remedy.apply": { params: isApplyRemedyParams, result: isRemedyOutcome },
    "gatherer.run": { params: isRunGathererParams, result: isAnything },
    "downloader.create": { params: isCreateDownloaderParams, result: listOf(isDownloaderMethod) },
    "downloader.call": { params: isCallDownloaderParams, result: isCallDownloaderAnswer },
    "downloader.dispose": { params: shape({ instance: isNumber }), result: isAnything },
    deactivate: { params: isEmpty, result: listOf(isString) },
  },
  notes: {},
};

export const TO_DAEMON: DirectionGuards<ToDaemon> = {
  requests: {
    gather: { params: shape({ scope: isNumber, gathererId: isString }), result: isAnything },
    "service.call": { params: isServiceCallParams, result: isAnything },
  },
  notes: {
    ready: shape({ pid: isNumber }),
    register: isRegisterParams,
    unregister: isUnregisterParams,
    log: isLogParams,
    fault: isFaultParams,
  },
};
