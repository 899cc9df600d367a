export type {
  CheckImplementation,
  CheckOutcome,
  CheckResult,
  CheckRunContext,
  Facts,
  GatherContext,
  Gatherer,
  RemedyContext,
} from "./check.js";
export type { ExtensionContext, ExtensionModule } from "./context.js";
export { type Disposable, DisposableStore, toDisposable } from "./disposable.js";
export {
  DOWNLOADER_ERROR_KINDS,
  type DownloaderAdapter,
  type DownloaderCallOptions,
  type DownloaderDescription,
  DownloaderError,
  type DownloaderErrorKind,
  type DownloaderFactory,
  type DownloaderFactoryContext,
  type DownloaderIpv6Listening,
  type DownloaderPeer,
  type DownloaderSettings,
  isDownloaderError,
} from "./downloader.js";
export type {
  ContributingExtension,
  ContributionIssue,
  ContributionReceiver,
  ContributionSchema,
  ExtensionContributions,
  ExtensionPointDescriptor,
} from "./extension-point.js";
export type { Guidance, Remedy, RemedyOutcome } from "./guidance.js";
export {
  type Catalog,
  type CatalogMessages,
  defineCatalog,
  LOCALES,
  type Locale,
  type LocalizedText,
  localize,
  type MessageParams,
} from "./localized.js";
export type { Logger } from "./logger.js";
export {
  type ActivationEvent,
  type CheckContribution,
  type CheckPlatform,
  DEFAULT_CHECK_TIMEOUT_MS,
  type DownloaderContribution,
  type ExtensionManifest,
  type GathererContribution,
  type ManifestContributions,
} from "./manifest.js";
export {
  type CommandResult,
  type CommandRunner,
  type ConfiguredDownloader,
  type DownloaderProbeResult,
  type Downloaders,
  type HostInfo,
  type InterfaceAddress,
  type NetworkInfo,
  type PinholeActivityState,
  type ServiceAccessor,
  Services,
  type ServiceToken,
  type StunSettings,
  type SystemFiles,
  type TunnelActivity,
  type TunnelActivityEntry,
  type TunnelActivityState,
  type TunnelIpv6Activity,
  type TunnelPorts,
  type TunnelUdpActivity,
  type UpnpGateway,
  type UpnpGatewayProbe,
} from "./services.js";
export { CHECK_STATUSES, type CheckStatus, isProblemStatus, type VerdictStatus } from "./status.js";
export { API_VERSION } from "./version.js";
