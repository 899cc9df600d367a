import type { HookOutcome } from "./command-hook.js";

export interface WebhookHook {
  url: string;
  /** Sent in `secretHeader` so the receiver can tell the call is ours. */
  secret?: string;
  /** Default `X-AutoSTUN-Secret`. */
  secretHeader?: string;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** POSTs `body` as JSON; any answer but 2xx, or none, is a failed outcome. Redirects are not followed. */
export async function postWebhook(hook: WebhookHook, body: unknown): Promise<HookOutcome> {
  const limit = hook.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const target = new URL(hook.url);
  const where = `${target.origin}${target.pathname}`;
  try {
    const response = await fetch(hook.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(hook.secret ? { [hook.secretHeader ?? "X-AutoSTUN-Secret"]: hook.secret } : {}),
      },
      body: JSON.stringify(body),
      redirect: "manual",
      signal: AbortSignal.timeout(limit),
    });
    await response.body?.cancel();
    if (response.status >= 200 && response.status < 300) return { ok: true };
    return { ok: false, error: `${where} answered HTTP ${response.status}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const timedOut = (error as Error).name === "TimeoutError";
    return {
      ok: false,
      error: `${where} ${timedOut ? `did not answer within ${limit} ms` : (cause ?? (error as Error).message)}`,
    };
  }
}
