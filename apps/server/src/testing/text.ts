import type { ResolvedCheck } from "@autostun/extension-host";
import { type LocalizedText, localize } from "@autostun/plugins-api";

/** The English words of a summary or reason, so a test can match them whatever else it carries. */
export function english(text: LocalizedText | null | undefined): string {
  return text == null ? "" : localize(text, "en");
}

/** The English reason a check cannot be resolved, or "" when it resolved to an implementation. */
export function englishError(resolved: ResolvedCheck): string {
  return "error" in resolved ? english(resolved.error) : "";
}
