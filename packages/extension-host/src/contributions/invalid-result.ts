import type { LocalizedText } from "@autostun/plugins-api";
import { LocalizedError } from "@autostun/runtime";

/**
 * A result that could not be used, found where the check ran (a plugin's own process measures its result
 * before sending it): the engine reports the real cause instead of a stand-in it could not inspect. Kept
 * apart from validate-result.ts, which the plugin's process bundles and which must stay free of the
 * daemon's runtime.
 */
export class InvalidResultError extends LocalizedError {
  constructor(readonly problem: LocalizedText) {
    super(problem);
    this.name = "InvalidResultError";
  }
}
