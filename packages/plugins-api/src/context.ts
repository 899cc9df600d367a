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
