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
  engines: { autostun: string };
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
export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;
