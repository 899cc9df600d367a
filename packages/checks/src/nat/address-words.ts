import type { LocalizedText } from "@autostun/plugins-api";
import type { AddressKind } from "./ip-ranges.js";
import { messages } from "./messages.js";

/** The kind of an address in words of every locale, for a sentence that names it. */
export function addressKindWords(kind: AddressKind): LocalizedText {
  return messages.text(`kind.${kind}`);
}
