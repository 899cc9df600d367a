import { type LocalizedText, localize } from "@autostun/plugins-api";

/**
 * An error the daemon itself raises and a user may read: it keeps the words of every locale, while
 * `message` stays English for logs and for code that only knows plain errors.
 */
export class LocalizedError extends Error {
  constructor(readonly text: LocalizedText) {
    super(localize(text, "en"));
    this.name = "LocalizedError";
  }
}

/**
 * What to tell a user about `error`: the daemon's own words in every locale when it raised the error,
 * otherwise the message as thrown (a plugin's own text, which no catalog of ours can translate).
 */
export function errorText(error: unknown): LocalizedText {
  if (error instanceof LocalizedError) return error.text;
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === "object" && error !== null && typeof (error as { en?: unknown }).en === "string")
    return error as LocalizedText;
  return String(error);
}
