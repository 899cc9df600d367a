import type { Logger } from "@autostun/plugins-api";
import { type AddressChange, hookEnvironment } from "./address-change.js";
import { type CommandHook, type HookOutcome, runCommandHook } from "./command-hook.js";
import { postWebhook, type WebhookHook } from "./webhook.js";

export interface AddressHooksOptions {
  command?: CommandHook;
  webhook?: WebhookHook;
  logger: Logger;
}

/** The last time the hooks ran, for the tunnel's status. */
export interface HookRun {
  at: Date;
  change: AddressChange;
  command?: HookOutcome;
  webhook?: HookOutcome;
}

/**
 * Runs the configured command and webhook on every public address change. They run side by side, and a
 * failure is logged and kept for the status: a broken hook never stops the tunnel.
 */
export class AddressHooks {
  private last: HookRun | undefined;

  constructor(private readonly options: AddressHooksOptions) {}

  lastRun(): HookRun | undefined {
    return this.last;
  }

  async run(change: AddressChange): Promise<HookRun> {
    const { command, webhook, logger } = this.options;
    const [commandOutcome, webhookOutcome] = await Promise.all([
      command ? runCommandHook(command, hookEnvironment(change)) : undefined,
      webhook
        ? postWebhook(webhook, { event: "address.changed", at: new Date().toISOString(), ...change })
        : undefined,
    ]);
    const run: HookRun = {
      at: new Date(),
      change,
      ...(commandOutcome ? { command: commandOutcome } : {}),
      ...(webhookOutcome ? { webhook: webhookOutcome } : {}),
    };
    const fields = { tunnel: change.tunnelId, publicPort: change.public.port };
    if (commandOutcome && !commandOutcome.ok)
      logger.warn("address-change command failed", {
        ...fields,
        error: commandOutcome.error,
        output: commandOutcome.output,
      });
    if (webhookOutcome && !webhookOutcome.ok)
      logger.warn("address-change webhook failed", { ...fields, error: webhookOutcome.error });
    this.last = run;
    return run;
  }
}
