import type { DownloaderStatus, HookOutcome, HookRun } from "@autostun/downloaders";
import { DOWNLOADER_ERROR_KINDS, localize } from "@autostun/plugins-api";
import { builder } from "./builder.js";

const iso = (date: Date | undefined) => date?.toISOString() ?? null;

const DownloaderPushStateEnum = builder.enumType("DownloaderPushState", {
  description:
    "IDLE: nothing pushed yet. PUSHING: telling the client and checking. VERIFIED: it reports the port and listens on it. RETRYING: failed for a reason that may pass. FAILED: needs the user (password, restart hook).",
  values: ["IDLE", "PUSHING", "VERIFIED", "RETRYING", "FAILED"] as const,
});

/**
 * Downloader kinds stay a String: plugins add their own, so the set is open. The built-in names are
 * in the docs (docs/downloaders.md), not in the description, which the schema lint keeps from listing values.
 */
export const DOWNLOADER_KIND_TEXT =
  "The adapter, as downloader.kind in the config file: a built-in client's name (see DiscoveredDownloader.kind) or one a plugin contributes";

const DownloaderErrorKindEnum = builder.enumType("DownloaderErrorKind", {
  description:
    "CREDENTIALS_REFUSED: the client refused the user name, password or secret. UNREACHABLE: nothing (or another program) answered at the URL. IGNORED_CHANGE: it took the port but does not use it (aria2 until a restart). UNSUPPORTED: the client or its version cannot do it. OTHER: a failure the adapter did not classify.",
  values: [...DOWNLOADER_ERROR_KINDS, "OTHER"] as const,
});

/** `Tunnel.downloader` of the contract; built from the push status, which holds no credentials. */
export const TunnelDownloaderRef = builder.objectRef<DownloaderStatus>("TunnelDownloader").implement({
  description: "The push of the tunnel's public port to its BitTorrent client. Never carries credentials.",
  fields: (t) => ({
    kind: t.exposeString("kind", { description: DOWNLOADER_KIND_TEXT }),
    url: t.exposeString("url", { description: "The configured URL without any user or password" }),
    state: t.field({ type: DownloaderPushStateEnum, resolve: (s) => s.state }),
    lastPushAt: t.field({ type: "DateTime", nullable: true, resolve: (s) => iso(s.lastPushAt) }),
    requestedPort: t.int({
      nullable: true,
      description: "The port the client was told last (the public port, which peers dial)",
      resolve: (s) => s.requestedPort ?? null,
    }),
    verifiedPort: t.int({
      nullable: true,
      description: "The port the client last reported and accepted connections on",
      resolve: (s) => s.verifiedPort ?? null,
    }),
    errorKind: t.field({
      type: DownloaderErrorKindEnum,
      nullable: true,
      description: "What kind of failure the last push met; null when it took",
      resolve: (s) => s.error?.kind ?? null,
    }),
    error: t.string({
      nullable: true,
      description: "Why the last push did not take, and what to do",
      resolve: (s, _args, ctx) => (s.error ? localize(s.error.summary, ctx.locale) : null),
    }),
    attempts: t.int({ description: "Attempts for the current port", resolve: (s) => s.attempts }),
    nextRetryAt: t.field({ type: "DateTime", nullable: true, resolve: (s) => iso(s.nextRetryAt) }),
  }),
});

const HookOutcomeRef = builder.objectRef<HookOutcome>("HookOutcome").implement({
  description: "How one hook (the command or the webhook) went.",
  fields: (t) => ({
    ok: t.exposeBoolean("ok"),
    error: t.string({ nullable: true, resolve: (o) => o.error ?? null }),
    output: t.string({
      nullable: true,
      description: "The end of what a failed command printed on stderr",
      resolve: (o) => o.output ?? null,
    }),
  }),
});

const HookAddressRef = builder.objectRef<{ ip: string; port: number }>("HookAddress").implement({
  fields: (t) => ({ ip: t.exposeString("ip"), port: t.exposeInt("port") }),
});

/** `Tunnel.hooks`: the last run of the tunnel's hooks. */
export const TunnelHooksRef = builder.objectRef<HookRun>("TunnelHooks").implement({
  description:
    "The last run of the tunnel's hooks, on open or a public address change. A failed hook never stops the tunnel.",
  fields: (t) => ({
    lastRunAt: t.field({ type: "DateTime", resolve: (r) => r.at.toISOString() }),
    ok: t.boolean({
      description: "Every configured hook succeeded",
      resolve: (r) => (r.command?.ok ?? true) && (r.webhook?.ok ?? true),
    }),
    error: t.string({
      nullable: true,
      description: "What failed, one line per hook",
      resolve: (r) => {
        const lines = [
          r.command && !r.command.ok ? `command: ${r.command.error}` : undefined,
          r.webhook && !r.webhook.ok ? `webhook: ${r.webhook.error}` : undefined,
        ].filter(Boolean);
        return lines.length ? lines.join("\n") : null;
      },
    }),
    publicAddress: t.field({
      type: HookAddressRef,
      description: "The address the hooks were told",
      resolve: (r) => r.change.public,
    }),
    command: t.field({ type: HookOutcomeRef, nullable: true, resolve: (r) => r.command ?? null }),
    webhook: t.field({ type: HookOutcomeRef, nullable: true, resolve: (r) => r.webhook ?? null }),
  }),
});

/** Both command fields stay in the inputs only so that the refusal can say what to do instead. */
const COMMAND_REFUSED_HERE =
  "Refused through the API (a program to run comes only from the config file); kept so the refusal can say what to do";

const RestartHookInput = builder.inputType("DownloaderRestartHookInput", {
  description:
    "A command that restarts the client on the new port (aria2); gets AUTOSTUN_LISTEN_PORT. Through the API only commandName: the program itself comes from the config file's commands.",
  fields: (t) => ({
    command: t.stringList({
      required: false,
      description: COMMAND_REFUSED_HERE,
    }),
    commandName: t.string({
      required: false,
      description: "The name of one of the config file's commands",
    }),
    timeoutSeconds: t.int({ required: false }),
  }),
});

export const TunnelDownloaderInput = builder.inputType("TunnelDownloaderInput", {
  description:
    "The client to push the public port to, as downloader in the config file. The password and API key are stored and never returned.",
  fields: (t) => ({
    kind: t.string({ required: true, description: DOWNLOADER_KIND_TEXT }),
    url: t.string({ required: true, description: 'Its Web UI or RPC URL, e.g. "http://127.0.0.1:8080"' }),
    username: t.string({ required: false }),
    password: t.string({ required: false, description: "The password, or aria2's RPC secret" }),
    apiKey: t.string({
      required: false,
      description: "qBittorrent 5.2+: an API key used instead of logging in; stored, never returned",
    }),
    restartHook: t.field({ type: RestartHookInput, required: false }),
  }),
});

const WebhookInput = builder.inputType("TunnelWebhookInput", {
  fields: (t) => ({
    url: t.string({
      required: true,
      description: "Receives a JSON POST on open and on every address change",
    }),
    secret: t.string({ required: false, description: "Sent in secretHeader; stored, never returned" }),
    secretHeader: t.string({
      required: false,
      description:
        "Default X-AutoSTUN-Secret. Cookie, Authorization, Proxy-Authorization, Host and hop-by-hop headers are refused here (the config file may set them)",
    }),
  }),
});

export const TunnelHooksInput = builder.inputType("TunnelHooksInput", {
  description: "What runs on open and on every public address change, as hooks in the config file.",
  fields: (t) => ({
    command: t.stringList({
      required: false,
      description: COMMAND_REFUSED_HERE,
    }),
    commandName: t.string({
      required: false,
      description: "The name of one of the config file's commands, run on open and every address change",
    }),
    timeoutSeconds: t.int({ required: false }),
    webhook: t.field({ type: WebhookInput, required: false }),
  }),
});
