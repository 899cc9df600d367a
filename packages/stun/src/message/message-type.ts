import type { StunClass } from "./types.js";

const CLASS_BITS: Record<StunClass, number> = { request: 0, indication: 1, success: 2, error: 3 };
const CLASSES: readonly StunClass[] = ["request", "indication", "success", "error"];

/** Interleaves the 12 method bits with the 2 class bits (RFC 8489 section 5). */
export function encodeMessageType(method: number, cls: StunClass): number {
  const c = CLASS_BITS[cls];
  return (
    (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | ((c & 1) << 4) | ((c & 2) << 7)
  );
}

export function decodeMessageType(type: number): { method: number; class: StunClass } {
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const c = ((type >> 4) & 1) | ((type >> 7) & 2);
  return { method, class: CLASSES[c]! };
}
