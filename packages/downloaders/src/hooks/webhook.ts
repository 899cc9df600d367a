import { redactUrlsIn } from "../http/redact-url.js";
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
  // fetch refuses a URL with `user:password@` in it and puts the whole URL, password included, in its
  // error, which would reach the log and the API. They go as Basic auth, which is what they meant.
  const basic =
    target.username || target.password
      ? `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString("base64")}`
      : undefined;
  target.username = "";
  target.password = "";
  try {
    const response = await fetch(target, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(basic ? { authorization: basic } : {}),
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
      error: `${where} ${timedOut ? `did not answer within ${limit} ms` : (cause ?? redactUrlsIn((error as Error).message))}`,
    };
  }
}
