// ---- check.d.ts
import type { Guidance, Remedy, RemedyOutcome } from "./guidance.js";
import type { LocalizedText } from "./localized.js";
import type { Logger } from "./logger.js";
import type { ServiceAccessor } from "./services.js";
import type { CheckStatus, VerdictStatus } from "./status.js";
/** Facts a check gathered: plain JSON, shown to users and third parties as evidence of the verdict. */
export type Facts = {
    [key: string]: unknown;
};
/** What a check returns: the verdict, a one-line summary, the evidence, and what to do. */
export interface CheckResult {
    status: VerdictStatus;
    /** One line; shown beside the status mark. */
    summary: LocalizedText;
    facts?: Facts;
    /** Required in spirit for WARN and FAIL: every problem shown must be actionable. */
    guidance?: Guidance;
    remedies?: Remedy[];
}
/** A result as the host records it: any status, including `ERROR` for a broken check. */
export interface CheckOutcome {
    id: string;
    status: CheckStatus;
    summary: LocalizedText;
    facts: Facts;
    guidance?: Guidance;
    remedies?: Remedy[];
    startedAt?: string;
    finishedAt?: string;
    durationMs?: number;
}
/** What a check gets while it runs. */
export interface CheckRunContext {
    /** Aborted when the check times out or the diagnosis is cancelled; pass it to every I/O call. */
    readonly signal: AbortSignal;
    readonly logger: Logger;
    /** The outcome of a check listed in `dependsOn`, already finished; undefined for any other id. */
    dependency(id: string): CheckOutcome | undefined;
    /**
     * The value of a gatherer (registered by any extension), computed at most once per diagnosis and
     * shared by every check that asks for it.
     */
    gather<T>(gathererId: string): Promise<T>;
    readonly services: ServiceAccessor;
}
/** The implementation behind a check id declared in a manifest's `contributes.checks`. */
export interface CheckImplementation {
    run(context: CheckRunContext): Promise<CheckResult>;
    /** Applies one of the remedies this check offered. Only called after the user confirmed it. */
    applyRemedy?(remedyId: string, context: RemedyContext): Promise<RemedyOutcome>;
}
/** What a remedy gets while it is applied. */
export interface RemedyContext {
    readonly signal: AbortSignal;
    readonly logger: Logger;
    readonly services: ServiceAccessor;
}
/** Computes shared facts once per diagnosis (Lighthouse's gatherers): e.g. one STUN probe series. */
export interface Gatherer<T = unknown> {
    gather(context: GatherContext): Promise<T>;
}
export interface GatherContext {
    readonly signal: AbortSignal;
    readonly logger: Logger;
    readonly services: ServiceAccessor;
    gather<T>(gathererId: string): Promise<T>;
}

// ---- context.d.ts
import type { CheckImplementation, Gatherer } from "./check.js";
import type { Disposable } from "./disposable.js";
import type { DownloaderFactory } from "./downloader.js";
import type { Logger } from "./logger.js";
import type { ExtensionManifest } from "./manifest.js";
import type { ServiceAccessor } from "./services.js";
/** What `activate(context)` receives. Everything registered through it is undone on deactivation. */
export interface ExtensionContext {
    /** The package name. */
    readonly extensionId: string;
    /** Absolute folder of the plugin. */
    readonly extensionPath: string;
    readonly manifest: Readonly<ExtensionManifest>;
    /** Disposed by the host when the extension is deactivated or the daemon stops. */
    readonly subscriptions: Disposable[];
    readonly logger: Logger;
    /** The plugin's section of the config: `plugins.config["<extensionId>"]`, or `{}`. */
    readonly config: Readonly<Record<string, unknown>>;
    readonly services: ServiceAccessor;
    /** The plugin API version of the host, e.g. `1.0.0`. */
    readonly apiVersion: string;
    /**
     * Provides the implementation of a check declared in the manifest. Registering an id that the
     * manifest does not declare, or an implementation without `run()`, throws.
     */
    registerCheck(id: string, check: CheckImplementation): Disposable;
    /**
     * Provides shared facts under `gathererId`, for any check's `context.gather(gathererId)`. Declare the id
     * in the manifest's `contributes.gatherers` (since 1.7.0): a diagnosis then starts this plugin when a
     * check asks for the gatherer. An id another plugin declares is refused (logged, not thrown); a gatherer
     * without `gather()` throws.
     */
    registerGatherer<T>(gathererId: string, gatherer: Gatherer<T>): Disposable;
    /**
     * Provides the adapter of a downloader kind declared in the manifest's `contributes.downloaders`
     * (since 1.2.0). The host calls `factory` once per configured downloader of that kind. Registering a
     * kind the manifest does not declare throws.
     */
    registerDownloader(kind: string, factory: DownloaderFactory): Disposable;
}
/** The shape of a plugin module: `export function activate(context) {}`. */
export interface ExtensionModule {
    activate(context: ExtensionContext): void | Promise<void>;
    deactivate?(): void | Promise<void>;
}

// ---- disposable.d.ts
/** Something that holds a resource until disposed: a registration, a timer, a socket. */
export interface Disposable {
    dispose(): void | Promise<void>;
}
/** Wraps a teardown function as a {@link Disposable} that runs it at most once. */
export declare function toDisposable(teardown: () => void | Promise<void>): Disposable;
/**
 * Collects what an owner must release and releases all of it at once (since 1.7.0): the last added
 * first, each once. A disposer that throws or rejects does not stop the ones after it; its error goes
 * to `report`, or, without one, the store's `dispose` throws (or rejects with) an AggregateError of all
 * failures once everything else was released. A disposer that returns a promise is awaited before the
 * next one runs, so teardown keeps its order; a store whose disposers are all synchronous disposes
 * synchronously. Once disposed, whatever is added is disposed at once (a failure then reaches the caller
 * of `add`, or `report` when it rejects later).
 */
export declare class DisposableStore implements Disposable {
    private readonly report?;
    private readonly items;
    private disposing;
    private done;
    constructor(report?: ((error: unknown) => void) | undefined);
    /** Whether {@link dispose} was called. */
    get isDisposed(): boolean;
    /** Keeps `item` (a Disposable or a teardown function) until the store is disposed; returns the item. */
    add<T extends Disposable>(item: T): T;
    add(teardown: () => void | Promise<void>): Disposable;
    /** Takes `item` out of the store without disposing it, e.g. because its owner released it already. */
    delete(item: Disposable): void;
    /** Releases everything held, the last added first; a second call returns what the first did. */
    dispose(): void | Promise<void>;
    private rest;
    private finish;
}

// ---- downloader.d.ts
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
export type DownloaderFactory = (settings: Readonly<DownloaderSettings>, context: DownloaderFactoryContext) => DownloaderAdapter;
/**
 * Why a call to a downloader did not do what was asked:
 * - `CREDENTIALS_REFUSED`: the client answered and refused the user name, password or secret.
 * - `UNREACHABLE`: nothing answered at the URL (down, wrong address, timed out) or it is not that client.
 * - `IGNORED_CHANGE`: the client accepted the new port but does not use it (aria2 before a restart).
 * - `UNSUPPORTED`: the client or its version cannot do what was asked.
 */
export declare const DOWNLOADER_ERROR_KINDS: readonly ["CREDENTIALS_REFUSED", "UNREACHABLE", "IGNORED_CHANGE", "UNSUPPORTED"];
export type DownloaderErrorKind = (typeof DOWNLOADER_ERROR_KINDS)[number];
/** The error an adapter throws so the host can tell the user which of the kinds went wrong. */
export declare class DownloaderError extends Error {
    readonly kind: DownloaderErrorKind;
    readonly name = "DownloaderError";
    constructor(kind: DownloaderErrorKind, message: string, options?: {
        cause?: unknown;
    });
}
/**
 * True for a {@link DownloaderError}, also one made by another copy of this package (a plugin may
 * bundle its own): it looks at the shape, not at the class.
 */
export declare function isDownloaderError(error: unknown): error is DownloaderError;

// ---- extension-point.d.ts
/**
 * Extension points, VS Code style: a feature of AutoSTUN owns one key of a manifest's `contributes`,
 * declares what one entry must look like, and is handed every plugin's validated entries. The types
 * here keep the plugin API free of any schema library: a zod schema (or anything with the same
 * `safeParse` shape) fits {@link ContributionSchema} as it is.
 */
import type { LocalizedText } from "./localized.js";
/** Where in one contribution a schema found a problem, and what it is. */
export interface ContributionIssue {
    path: readonly PropertyKey[];
    message: string;
}
/** Checks one entry of `contributes.<name>`; zod schemas have exactly this shape. */
export interface ContributionSchema<T> {
    safeParse(value: unknown): {
        success: true;
        data: T;
    } | {
        success: false;
        error: {
            issues: readonly ContributionIssue[];
        };
    };
}
/** A key of `contributes` that a feature owns. */
export interface ExtensionPointDescriptor<T> {
    /** The key under `contributes`, e.g. `checks` or `downloaders`. */
    name: string;
    /** One entry of the list; a plugin with an entry that does not fit is refused as incompatible. */
    schema: ContributionSchema<T>;
}
/** The plugin a batch of contributions came from, as far as the host knows it before running any code. */
export interface ContributingExtension {
    id: string;
    displayName: string;
    /** The plugin's folder. */
    path: string;
    builtin: boolean;
    /** Resolves a `%key%` string of the manifest from the plugin's package.nls files. */
    localize(value: string): LocalizedText;
    /** Why the plugin cannot run (its entries still arrive, so the feature can show it as broken). */
    problem?: string;
}
/** Every validated entry one plugin made to one point. */
export interface ExtensionContributions<T> {
    extension: ContributingExtension;
    items: readonly T[];
}
/** The feature's side of a point: told when a plugin's entries arrive and when the plugin goes away. */
export interface ContributionReceiver<T> {
    /**
     * Returns conflicts the feature found (an id another plugin already took); they are reported on the
     * plugin without stopping it.
     */
    added(contributions: ExtensionContributions<T>): void | readonly string[];
    removed(extensionId: string): void;
}

// ---- guidance.d.ts
import type { LocalizedText } from "./localized.js";
/** What the user should do about a result: a title and concrete, ordered steps. */
export interface Guidance {
    title: LocalizedText;
    /** Each step is one action: a command to run or a setting to change, never general advice. */
    steps: LocalizedText[];
    /** A link to further reading. */
    docs?: string;
}
/**
 * A fix the host can apply for the user after they confirm it (Home Assistant "repairs" style).
 * The description is shown before applying; the check's `applyRemedy` does the work.
 */
export interface Remedy {
    /** Stable within the check, e.g. `"allow-port"`. */
    id: string;
    title: LocalizedText;
    /** What applying it changes, and the risk the user accepts. */
    description: LocalizedText;
    /** Commands equivalent to applying it, for users who prefer to do it by hand. */
    commands?: string[];
    /** True when applying needs administrator rights; the host refuses with a clear message otherwise. */
    requiresRoot?: boolean;
}
/** What happened when a remedy was applied or reverted. */
export interface RemedyOutcome {
    ok: boolean;
    message: LocalizedText;
}

// ---- index.d.ts
export type { CheckImplementation, CheckOutcome, CheckResult, CheckRunContext, Facts, GatherContext, Gatherer, RemedyContext, } from "./check.js";
export type { ExtensionContext, ExtensionModule } from "./context.js";
export { type Disposable, DisposableStore, toDisposable } from "./disposable.js";
export { DOWNLOADER_ERROR_KINDS, type DownloaderAdapter, type DownloaderCallOptions, type DownloaderDescription, DownloaderError, type DownloaderErrorKind, type DownloaderFactory, type DownloaderFactoryContext, type DownloaderIpv6Listening, type DownloaderPeer, type DownloaderSettings, isDownloaderError, } from "./downloader.js";
export type { ContributingExtension, ContributionIssue, ContributionReceiver, ContributionSchema, ExtensionContributions, ExtensionPointDescriptor, } from "./extension-point.js";
export type { Guidance, Remedy, RemedyOutcome } from "./guidance.js";
export { type Catalog, type CatalogMessages, defineCatalog, LOCALES, type Locale, type LocalizedText, localize, type MessageParams, } from "./localized.js";
export type { Logger } from "./logger.js";
export { type ActivationEvent, type CheckContribution, type CheckPlatform, DEFAULT_CHECK_TIMEOUT_MS, type DownloaderContribution, type ExtensionManifest, type GathererContribution, type ManifestContributions, } from "./manifest.js";
export { type CommandResult, type CommandRunner, type ConfiguredDownloader, type DownloaderProbeResult, type Downloaders, type HostInfo, type InterfaceAddress, type NetworkInfo, type PinholeActivityState, type ServiceAccessor, Services, type ServiceToken, type StunSettings, type SystemFiles, type TunnelActivity, type TunnelActivityEntry, type TunnelActivityState, type TunnelIpv6Activity, type TunnelPorts, type TunnelUdpActivity, type UpnpGateway, type UpnpGatewayProbe, } from "./services.js";
export { CHECK_STATUSES, type CheckStatus, isProblemStatus, type VerdictStatus } from "./status.js";
export { API_VERSION } from "./version.js";

// ---- localized.d.ts
/** Locales every built-in message is written in. Plugins may add more; `en` is the fallback. */
export declare const LOCALES: readonly ["en", "zh-CN"];
export type Locale = (typeof LOCALES)[number];
/**
 * User-facing text. A plain string is the same in every locale; an object carries one string per
 * locale and must at least have `en`.
 */
export type LocalizedText = string | ({
    en: string;
} & {
    [locale: string]: string | undefined;
});
/** Picks the text for `locale`, falling back to the language part (`zh`) and then to English. */
export declare function localize(text: LocalizedText, locale?: string): string;
/**
 * Parameters substituted into `{name}` placeholders of a catalog message. A parameter that is itself
 * words (a reason, "unknown") should be {@link LocalizedText}: each locale then gets its own words
 * instead of an English fragment inside a translated sentence.
 */
export type MessageParams = Readonly<Record<string, string | number | LocalizedText>>;
/** A message catalog: per locale, per key, one string (or a list of steps). */
export type CatalogMessages = {
    en: Record<string, string | readonly string[]>;
} & {
    [locale: string]: Record<string, string | readonly string[]> | undefined;
};
/** Formats keys of a catalog into {@link LocalizedText} carrying every locale at once. */
export interface Catalog {
    /** The messages as written, so tools and tests can walk every key in every locale. */
    readonly messages: CatalogMessages;
    /** One message in every locale the catalog has, with `{name}` placeholders filled. */
    text(key: string, params?: MessageParams): LocalizedText;
    /** A list of steps, one {@link LocalizedText} per step; locales with fewer steps fall back to English. */
    steps(key: string, params?: MessageParams): LocalizedText[];
}
/**
 * Builds a {@link Catalog} from messages written per locale. A key missing in the English messages
 * throws at once, so a typo shows up in the first test rather than in front of a user.
 */
export declare function defineCatalog(messages: CatalogMessages): Catalog;

// ---- logger.d.ts
/**
 * A structured logger: a message, then fields. The host redacts every line the same way as its own:
 * values under keys named like tokens, passwords, API keys or cookies, and credentials in any URL.
 */
export interface Logger {
    debug(message: string, fields?: Record<string, unknown>): void;
    info(message: string, fields?: Record<string, unknown>): void;
    warn(message: string, fields?: Record<string, unknown>): void;
    error(message: string, fields?: Record<string, unknown>): void;
}

// ---- manifest.d.ts
/**
 * The static manifest, read from the `autostun` field of a plugin's package.json before any of its code
 * runs (VS Code style). Example:
 *
 * ```json
 * {
 *   "name": "autostun-plugin-mtu",
 *   "main": "dist/index.js",
 *   "autostun": {
 *     "engines": { "autostun": "^1.0.0" },
 *     "activationEvents": ["onCheck:mtu.path"],
 *     "contributes": {
 *       "checks": [{ "id": "mtu.path", "title": "Path MTU", "category": "network", "timeoutMs": 5000 }]
 *     }
 *   }
 * }
 * ```
 */
export interface ExtensionManifest {
    /** Shown in lists; defaults to the package name. */
    displayName?: string;
    /** The plugin API versions this plugin works with, as a semver range, e.g. `^1.0.0`. */
    engines: {
        autostun: string;
    };
    /**
     * When to load and activate the plugin: `onStartup` (or `*`) at daemon start, `onCheck:<id>`
     * the first time that check runs, `onGatherer:<id>` (since 1.7.0) the first time a check asks for that
     * gatherer. Defaults to one `onCheck:` event per contributed check and one `onGatherer:` event per
     * contributed gatherer.
     */
    activationEvents?: ActivationEvent[];
    /**
     * What the plugin adds to the features of AutoSTUN, one list per extension point: `checks` here, and
     * whatever points other features declare (for example `downloaders`). A key no feature declares is
     * reported as a warning and otherwise ignored, so a plugin written for a newer AutoSTUN still loads.
     */
    contributes?: ManifestContributions;
    /** Module to load, relative to the plugin folder; defaults to package.json `main`, then `index.js`. */
    main?: string;
}
/**
 * The `contributes` field: the checks, gatherers and downloaders points are typed here; every other point
 * is an open list.
 */
export interface ManifestContributions {
    checks?: CheckContribution[];
    /** Since 1.7.0. */
    gatherers?: GathererContribution[];
    downloaders?: DownloaderContribution[];
    [point: string]: readonly unknown[] | undefined;
}
export type ActivationEvent = "*" | "onStartup" | `onCheck:${string}` | `onGatherer:${string}`;
/** Platforms a check can declare, as Node's `process.platform` names them (plus `dsm` for Synology). */
export type CheckPlatform = "linux" | "win32" | "darwin" | "freebsd" | "dsm";
/** A check declared in a manifest. Its implementation is registered on activation. */
export interface CheckContribution {
    /** Globally unique, dotted: `<area>.<name>`, e.g. `nat.type`. */
    id: string;
    /**
     * Shown in lists. `%key%` is looked up in `package.nls.json` (English) and `package.nls.<locale>.json`
     * (e.g. `package.nls.zh-cn.json`) beside package.json, VS Code style, so titles are translated
     * without running plugin code.
     */
    title: string;
    /** Groups checks in the console, e.g. `network`, `system`, `downloader`, `relay`. */
    category: string;
    /** Checks whose outcomes this one reads; it runs after them. */
    dependsOn?: string[];
    /** Where the check applies; elsewhere it is SKIP. Omitted: everywhere. */
    platforms?: CheckPlatform[];
    /** Hard limit for one run; past it the check is ERROR and its signal is aborted. Default 10000. */
    timeoutMs?: number;
}
/**
 * A gatherer declared in a manifest (since 1.7.0), registered on activation with
 * `context.registerGatherer(id, …)`. Declaring it lets a diagnosis start this plugin only when a check asks
 * for the gatherer (`onGatherer:<id>`). A gatherer registered without a declaration still works while its
 * plugin runs (plugins written for 1.6 and earlier), but nothing starts the plugin to provide it.
 */
export interface GathererContribution {
    /** Globally unique, dotted like a check id, e.g. `nat.discovery`. */
    id: string;
}
/** A downloader kind declared in a manifest (since 1.2.0). Its adapter is registered on activation. */
export interface DownloaderContribution {
    /** What users write as `downloader.kind` in a tunnel's config: lower case, e.g. `qbittorrent`. */
    kind: string;
    /**
     * The client's name as users know it (the kind when absent); `%key%` is looked up in package.nls files
     * like a check title. Optional so manifests written for 1.1, where this list was untyped, still compile.
     */
    title?: string;
    /** Where the client's API usually is on this host, e.g. `http://127.0.0.1:8080`. */
    defaultUrl?: string;
}
/** The default per-check timeout when a contribution does not set one. */
export declare const DEFAULT_CHECK_TIMEOUT_MS = 10000;

// ---- services.d.ts
import type { DownloaderIpv6Listening, DownloaderPeer } from "./downloader.js";
/**
 * A typed DI token. Tokens are `Symbol.for(...)` keys, so a plugin bundling its own copy of this
 * package still resolves the same services as the host.
 */
export type ServiceToken<T> = symbol & {
    readonly __service?: T;
};
/** Resolves services the host offers to extensions. Throws a clear error for an unknown token. */
export interface ServiceAccessor {
    get<T>(token: ServiceToken<T>): T;
}
/** STUN servers from the `stun` config section, as `host:port` strings. */
export interface StunSettings {
    udp: readonly string[];
    tcp: readonly string[];
}
/** Read-only access to the host's files, under a root that tests replace with a fixture folder. */
export interface SystemFiles {
    /** The file as UTF-8, or undefined when it does not exist or cannot be read. */
    readText(path: string): Promise<string | undefined>;
    exists(path: string): Promise<boolean>;
    /** Entry names of a directory, or an empty list. */
    list(path: string): Promise<string[]>;
}
export interface CommandResult {
    /** Undefined when the program could not be started (see `error`). */
    exitCode: number | undefined;
    stdout: string;
    stderr: string;
    /** Why it did not run to completion: `ENOENT` (not installed), `EACCES`, `TIMEOUT`, … */
    error?: string;
}
/** Runs programs without a shell; tests replace it with recorded outputs. */
export interface CommandRunner {
    run(file: string, args: readonly string[], options?: {
        timeoutMs?: number;
        signal?: AbortSignal;
        input?: string;
    }): Promise<CommandResult>;
}
export interface InterfaceAddress {
    interface: string;
    address: string;
    family: "IPv4" | "IPv6";
    netmask: string;
    internal: boolean;
    mac?: string;
}
/** The host's network view. */
export interface NetworkInfo {
    addresses(): Promise<InterfaceAddress[]>;
}
/** Facts about the host itself. */
export interface HostInfo {
    /** Node's `process.platform`, or `dsm` on Synology DSM (a Linux that checks may treat apart). */
    platform: NodeJS.Platform | "dsm";
    /** True when running with administrator rights (root / elevated). */
    isPrivileged: boolean;
}
/** The local ports of configured tunnels: what inbound peers must reach on this host. */
export interface TunnelPorts {
    localPorts(): Promise<number[]>;
}
/** A tunnel's state, or the state of its UDP mapping alone. */
export type TunnelActivityState = "STOPPED" | "OPENING" | "OPEN" | "RECOVERING" | "FAILED";
/** A tunnel's state as the relay sees it now; every address is `ip:port` (`[v6]:port` for IPv6). */
export interface TunnelActivityEntry {
    id: string;
    state: TunnelActivityState;
    /** What the gateway maps to the tunnel's port; undefined until a STUN server answered. */
    publicAddress?: string;
    /**
     * When the first peer of this daemon run was accepted (ISO 8601): proof that inbound works. Since
     * 1.8.0 these four fields count TCP peers only; UDP sessions are in `udp`.
     */
    firstInboundAt?: string;
    /** That first peer's own address, as it reached the tunnel. */
    firstInboundFrom?: string;
    /** The public address peers were using when the first one arrived. */
    firstInboundVia?: string;
    lastInboundAt?: string;
    /** The tunnel's UDP side (since 1.8.0); absent when the tunnel holds no UDP mapping (`udp: false`). */
    udp?: TunnelUdpActivity;
    /** The downloader's IPv6 path and its pinhole on the home router (since 1.9.0); absent until known. */
    ipv6?: TunnelIpv6Activity;
}
/** Where a pinhole for the downloader's port stands on the home router (since 1.9.0). */
export type PinholeActivityState = "SEARCHING" | "OPEN" | "NO_GATEWAY" | "FAILED" | "REMOVED" | "UNSUPPORTED";
/**
 * Over IPv6 peers reach the downloader at its own global address and its own port, without the tunnel;
 * only firewalls stand in the way. A pinhole on the home router (UPnP IGD v2 or PCP) lets them through.
 */
export interface TunnelIpv6Activity {
    /** The downloader's global IPv6 address; undefined when it is not known (no IPv6, or another machine). */
    address?: string;
    /** The downloader's peer port: the tunnel's target port. */
    port: number;
    /** Absent while `upnp.enabled` is false: no pinhole was asked for. */
    pinhole?: {
        state: PinholeActivityState;
        protocol?: "upnp" | "pcp";
        /** The router: its UPnP description URL or its address. */
        gateway?: string;
        /** When the router's lease ends (ISO 8601); renewed before. */
        leaseEndsAt?: string;
        /** Which transports the router holds open. */
        tcp: boolean;
        udp: boolean;
        /** Why it is not OPEN, in the router's or AutoSTUN's words. */
        error?: string;
    };
}
/**
 * The UDP mapping a tunnel holds on its TCP public port for uTP and the DHT (since 1.8.0), and the UDP
 * peers that came in through it during this daemon run. Inbound UDP only proves something while the
 * mapping sits on the very port the downloader announces, hence `samePort`.
 */
export interface TunnelUdpActivity {
    state: TunnelActivityState;
    /** The UDP mapping's public side; undefined until a STUN server answered over UDP. */
    publicAddress?: string;
    /** The local UDP port holding the mapping: what a host firewall must let datagrams in on. */
    localPort?: number;
    /** True while the UDP public address equals the tunnel's TCP public address (IP and port). */
    samePort: boolean;
    /** Why the UDP side is in its state, in the relay's words (e.g. what an equal-port search tried). */
    reason?: string;
    /**
     * Since when (ISO 8601) the relay has seen the UDP side OPEN on the same port without a break; a
     * bound, not a measurement: the relay looks when a peer arrives and when activity is asked for.
     */
    samePortSince?: string;
    /** When the first UDP peer session of this daemon run began (ISO 8601): proof that UDP inbound works. */
    firstInboundAt?: string;
    /** That peer's own address; absent for kernel forwarding, whose counters do not say who came. */
    firstInboundFrom?: string;
    /** The UDP public address that peer used. */
    firstInboundVia?: string;
    lastInboundAt?: string;
}
/**
 * Live state of the daemon's tunnels (since 1.3.0), so a check can tell whether peers really arrive.
 * Answers an empty list where no relay runs (e.g. `autostun doctor`).
 */
export interface TunnelActivity {
    tunnels(): Promise<TunnelActivityEntry[]>;
}
/** A downloader a tunnel is set up to push its port to, as a check may see it: never the password. */
export interface ConfiguredDownloader {
    /** The tunnel whose `downloader` settings these are. */
    tunnelId: string;
    /** The adapter kind, e.g. `qbittorrent`. */
    kind: string;
    /** The Web UI / RPC URL without any user name or password in it. */
    url: string;
    /** True when a user name, password, secret or API key is configured (not what it is). */
    hasCredentials: boolean;
    /**
     * True when the tunnel signs in with an API key instead of a user name and password (since 1.6.0,
     * with `DownloaderSettings.apiKey`), so a refusal can name the key; absent means not.
     */
    usesApiKey?: boolean;
}
/** What one attempt to talk to a configured downloader found. */
export interface DownloaderProbeResult {
    /** The client answered at its URL as that kind of client. */
    answered: boolean;
    /** It accepted the configured credentials; undefined when it did not answer or could not be asked. */
    authOk: boolean | undefined;
    /** The client's product name and version, when it told them. */
    client?: string;
    version?: string;
    /** The addresses the URL's host name stands for (the literal address when it is one). */
    addresses: string[];
    /** Why it did not answer or refused, as the adapter said it (no secrets in it). */
    error?: {
        kind: string;
        message: string;
    };
    /**
     * Set when the client was not asked this time (since 1.6.0): these very settings were already refused
     * (`by` the tunnel's port push, or by an earlier probe) at `at` (ISO 8601), and every further failed
     * login brings the client's ban of this host closer. Settings saved anew, or a push tried again
     * (`pushDownloaderPort`), make the next probe log in again.
     */
    reused?: {
        by: "push" | "probe";
        at: string;
    };
}
/**
 * The downloaders configured on tunnels (since 1.4.0), and a way to try one with its own credentials
 * without handing them to the caller.
 */
export interface Downloaders {
    list(): Promise<ConfiguredDownloader[]>;
    /**
     * The peers the tunnel's downloader is connected to now (since 1.9.0). `supported` is false when its
     * adapter lists no peers; a failure is in `error`, never thrown.
     */
    peers(tunnelId: string, options?: {
        signal?: AbortSignal;
    }): Promise<{
        supported: boolean;
        peers: DownloaderPeer[];
        error?: {
            kind: string;
            message: string;
        };
    }>;
    /** Whether the tunnel's downloader accepts IPv6 peers (since 1.9.0); undefined when it cannot tell. */
    ipv6Listening(tunnelId: string, options?: {
        signal?: AbortSignal;
    }): Promise<DownloaderIpv6Listening | {
        error: {
            kind: string;
            message: string;
        };
    } | undefined>;
    /** Has the tunnel's downloader listen on IPv6 too (since 1.9.0); only after the user confirmed it. */
    listenOnIpv6(tunnelId: string, options?: {
        signal?: AbortSignal;
    }): Promise<void>;
    /**
     * Logs in with the tunnel's settings and asks the client who it is; never throws for a bad answer.
     * Settings already refused are not tried again: the answer is that refusal, marked `reused` (since 1.6.0).
     */
    probe(tunnelId: string, options?: {
        signal?: AbortSignal;
    }): Promise<DownloaderProbeResult>;
}
/** What asking the home router in front of this host for a port mapping found (since 1.5.0). */
export interface UpnpGatewayProbe {
    /** The config's `upnp.enabled`: with false nothing was asked and the rest is empty. */
    enabled: boolean | "auto";
    /** A router answered UPnP IGD, PCP or NAT-PMP. */
    found: boolean;
    protocol?: "upnp" | "pcp" | "nat-pmp";
    /** The router: its UPnP device description URL, or its address for PCP and NAT-PMP. */
    location?: string;
    /** The name the router gives itself (UPnP), when it gives one. */
    name?: string;
    /** This host's address as the router sees it: where a mapping points to. */
    internalClient?: string;
    /** The router's WAN address as it reports it. */
    externalIp?: string;
    /** Why the router could not say its WAN address, when it could not. */
    externalIpError?: string;
    /** A short test mapping of a free port to this host, removed again at once. */
    testMapping?: {
        port: number;
        mapped: boolean;
        /** The router's reason for refusing (e.g. "UPnP error 606 Action not authorized"). */
        error?: string;
        /** The UPnP error or NAT-PMP result code of a refusal; absent when the router did not answer. */
        code?: number;
        /** The test mapping was removed again (false: it stays until its short lease ends). */
        removed?: boolean;
    };
    /**
     * A tunnel's mapping the router holds now (since 1.6.0). With one, the router was neither searched for
     * again nor asked for a test mapping: this mapping already shows that it maps ports to this host.
     */
    liveMapping?: {
        tunnelId: string;
        /** The tunnel's local port, which the router forwards to. */
        port: number;
        externalPort: number;
        /** When the router's lease ends (ISO 8601); absent for a lease without an end. */
        leaseEndsAt?: string;
    };
    /** Each way of finding a router that gave none, and why. */
    tried: string[];
    /**
     * Why the UPnP search (SSDP) could not be sent at all: the socket's error, and the local address and
     * interface it was sent from (since 1.6.0). Absent when the search went out, answered or not.
     */
    searchError?: string;
}
/**
 * The home router in front of this host (since 1.5.0): `probe()` finds it (SSDP on this host's LAN,
 * then PCP and NAT-PMP on the default gateway), asks its WAN address and tries a short mapping. It only talks
 * to this host's own network, and not at all while the config's `upnp.enabled` is false. Since 1.6.0 it
 * answers from a tunnel's live mapping when there is one, and reuses the tunnels' recent router search.
 */
export interface UpnpGateway {
    probe(options?: {
        signal?: AbortSignal;
    }): Promise<UpnpGatewayProbe>;
}
/** DI tokens of the services an extension may use via `context.services.get(Services.X)`. */
export declare const Services: {
    readonly StunSettings: ServiceToken<StunSettings>;
    readonly SystemFiles: ServiceToken<SystemFiles>;
    readonly CommandRunner: ServiceToken<CommandRunner>;
    readonly NetworkInfo: ServiceToken<NetworkInfo>;
    readonly HostInfo: ServiceToken<HostInfo>;
    readonly TunnelPorts: ServiceToken<TunnelPorts>;
    readonly TunnelActivity: ServiceToken<TunnelActivity>;
    readonly Downloaders: ServiceToken<Downloaders>;
    readonly UpnpGateway: ServiceToken<UpnpGateway>;
};

// ---- status.d.ts
/**
 * Every state a check can be in, as the GraphQL API and the CLI show it.
 *
 * - `PENDING`: known, not yet run in this diagnosis.
 * - `RUNNING`: running now.
 * - `PASS` / `WARN` / `FAIL`: the verdict on the network or host.
 * - `SKIP`: not applicable here (another platform, a dependency did not pass).
 * - `ERROR`: the check itself broke (threw, timed out, could not load). Never means "the network is wrong".
 */
export declare const CHECK_STATUSES: readonly ["PENDING", "RUNNING", "PASS", "WARN", "FAIL", "SKIP", "ERROR"];
/** One of {@link CHECK_STATUSES}. */
export type CheckStatus = (typeof CHECK_STATUSES)[number];
/** The statuses a check implementation may return itself; the host assigns the rest. */
export type VerdictStatus = Extract<CheckStatus, "PASS" | "WARN" | "FAIL" | "SKIP">;
/** True for statuses that make `autostun doctor` exit 1. */
export declare function isProblemStatus(status: CheckStatus): boolean;

// ---- version.d.ts
/** The plugin API version this package describes; plugins declare a range of it in `engines.autostun`. */
export declare const API_VERSION = "1.9.0";
