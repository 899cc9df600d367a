import { PortMappingError } from "./errors.js";

/**
 * The most a router's HTTP answer may hold. miniupnpd's whole device description is about 5 KiB, a
 * Fritz!Box's (with its nested devices) some tens of KiB, a SOAP answer under 2 KiB: 256 KiB is ten times
 * the largest real one, and small enough that a LAN device sending without end costs the daemon nothing.
 */
export const ROUTER_BODY_LIMIT_BYTES = 256 * 1024;

/**
 * The longest one request to a router may take, answer included. A router answers in milliseconds; undici's
 * own limits (300 s for the headers, then 300 s between any two chunks) would let one sending a byte at a
 * time hold a mapping for ever.
 */
export const ROUTER_REQUEST_TIMEOUT_MS = 10_000;

export interface RouterHttpLimits {
  /** Refuse an answer larger than this (default {@link ROUTER_BODY_LIMIT_BYTES}). */
  limitBytes?: number;
  /** Give up on the request, answer included, after this long (default {@link ROUTER_REQUEST_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** The caller's own reason to stop (the daemon stopping, a check's timeout). */
  signal?: AbortSignal;
}

/** An answer from a router read in full: its status and its text. */
export interface RouterAnswer {
  ok: boolean;
  status: number;
  statusText: string;
  text: string;
}

function sizeText(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}

/**
 * One HTTP request to a router on the LAN, its answer read as text, bounded in size and in time. Throws a
 * {@link PortMappingError} naming the URL and the bound that was hit; reading stops there and the
 * connection is dropped, so nothing more is buffered.
 */
export async function fetchRouterText(
  url: string,
  init: Omit<RequestInit, "signal">,
  limits: RouterHttpLimits = {},
): Promise<RouterAnswer> {
  const limitBytes = limits.limitBytes ?? ROUTER_BODY_LIMIT_BYTES;
  const timeoutMs = limits.timeoutMs ?? ROUTER_REQUEST_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = limits.signal ? AbortSignal.any([limits.signal, timeout]) : timeout;
  const tooSlow = () =>
    new PortMappingError(
      `${url} did not give a whole answer within ${timeoutMs / 1000} s; a router answers at once, so it was given up`,
    );
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal });
  } catch (error) {
    if (timeout.aborted) throw tooSlow();
    const cause = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new PortMappingError(`${url} could not be reached: ${cause}`);
  }
  const tooBig = () =>
    new PortMappingError(
      `the answer from ${url} is larger than ${sizeText(limitBytes)}, far more than a device description or SOAP answer holds; it was not read further`,
    );
  // A declared length over the limit is refused before a byte of it is read.
  if (Number(response.headers.get("content-length")) > limitBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooBig();
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (response.body) {
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > limitBytes) {
          await reader.cancel().catch(() => undefined);
          throw tooBig();
        }
        chunks.push(value);
      }
    } catch (error) {
      if (error instanceof PortMappingError) throw error;
      if (timeout.aborted) throw tooSlow();
      const cause = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
      throw new PortMappingError(`the answer from ${url} broke off: ${cause}`);
    }
  }
  return {
    ok: response.ok,
    status: response.status,
    statusText: response.statusText,
    text: new TextDecoder().decode(Buffer.concat(chunks)),
  };
}
