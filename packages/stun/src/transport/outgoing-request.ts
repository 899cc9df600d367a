import { createBindingRequest } from "../message/accessors.js";
import { encodeMessage } from "../message/encode.js";
import type { StunAttribute, StunMessage } from "../message/types.js";
import { type Endpoint, StunTransactionError } from "./types.js";

/** What both transports accept to build a request. */
export interface OutgoingRequestOptions {
  /** A whole message to send; default: a Binding request with `attributes`. */
  message?: StunMessage;
  attributes?: StunAttribute[];
  /** Append FINGERPRINT (default true). */
  fingerprint?: boolean;
  signal?: AbortSignal;
}

/**
 * Encodes a request and derives the key replies are matched by, or explains why it cannot be sent
 * (already aborted, unencodable) as the error both transports reject with.
 */
export function prepareRequest(
  target: Endpoint,
  options: OutgoingRequestOptions,
): { bytes: Buffer; key: string } | { error: StunTransactionError } {
  if (options.signal?.aborted)
    return { error: new StunTransactionError("ABORTED", "aborted before sending", target) };
  const message = options.message ?? createBindingRequest(options.attributes);
  try {
    const bytes = encodeMessage(message, { fingerprint: options.fingerprint ?? true });
    return { bytes, key: Buffer.from(message.transactionId).toString("hex") };
  } catch (error) {
    return { error: new StunTransactionError("PROTOCOL", `cannot encode request: ${String(error)}`, target) };
  }
}
