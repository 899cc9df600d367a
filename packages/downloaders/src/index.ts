import { fileURLToPath } from "node:url";

/**
 * The folder holding one sub-folder per built-in downloader adapter, each an extension with its own
 * manifest, scanned by the host like a plugins dir.
 */
export const BUILTIN_DOWNLOADERS_DIR = fileURLToPath(new URL("./builtin/", import.meta.url));

export { signsInWithApiKey } from "./api-key.js";
export {
  DISCOVERABLE_KINDS,
  type DiscoverableKind,
  type IdentifiedDownloader,
  type IdentifyOptions,
  identifyAs,
  identifyDownloader,
} from "./discovery/identify.js";
export { type AddressChange, type Endpoint, hookEnvironment } from "./hooks/address-change.js";
export { AddressHooks, type AddressHooksOptions, type HookRun } from "./hooks/address-hooks.js";
export {
  type CommandHook,
  type HookOutcome,
  hookBaseEnvironment,
  runCommandHook,
} from "./hooks/command-hook.js";
export { postWebhook, type WebhookHook } from "./hooks/webhook.js";
export { reservedSecretHeader } from "./hooks/webhook-headers.js";
export { isSecretParam, REDACTED, redactUrl, redactUrlsIn } from "./http/redact-url.js";
export { DownloaderPush, type DownloaderPushOptions, type PushRetry } from "./push/downloader-push.js";
export { acceptsConnections } from "./push/listening.js";
export { pushErrorText, pushMessages } from "./push/messages.js";
export {
  type DownloaderPushError,
  type DownloaderPushState,
  type DownloaderStatus,
  type DownloaderStatusError,
  displayUrl,
  idleDownloaderStatus,
} from "./push/push-status.js";
