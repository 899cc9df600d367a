import type { NftSet } from "./types.js";

/** One element of an address set, in the text form nft accepts back (`192.0.2.7`, `10.0.0.0/8`). */
export interface AddressElement {
  address: string;
  /** The element's own timeout, when it has one. */
  timeoutSeconds?: number;
  /** Seconds until the kernel drops it. */
  expiresSeconds?: number;
}

/**
 * The elements of an address set as text. Elements of other shapes (concatenations, map entries) are
 * left out: a caller of this reads ban lists and similar address sets only.
 */
export function addressElements(set: NftSet): AddressElement[] {
  const out: AddressElement[] = [];
  for (const raw of set.elem) {
    const wrapped = (raw as { elem?: Record<string, unknown> } | null)?.elem;
    const value = wrapped ? wrapped.val : raw;
    const address = addressText(value);
    if (address === undefined) continue;
    const element: AddressElement = { address };
    if (typeof wrapped?.timeout === "number") element.timeoutSeconds = wrapped.timeout;
    if (typeof wrapped?.expires === "number") element.expiresSeconds = wrapped.expires;
    out.push(element);
  }
  return out;
}

function addressText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  const prefix = (value as { prefix?: { addr?: unknown; len?: unknown } } | null)?.prefix;
  if (prefix && typeof prefix.addr === "string" && typeof prefix.len === "number")
    return `${prefix.addr}/${prefix.len}`;
  const range = (value as { range?: unknown } | null)?.range;
  if (Array.isArray(range) && typeof range[0] === "string" && typeof range[1] === "string")
    return `${range[0]}-${range[1]}`;
  return undefined;
}
