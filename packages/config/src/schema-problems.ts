import type { z } from "zod";

/** One thing the config schema refuses: the path of the key it is about, and what is wrong. */
export interface SchemaProblem {
  path: PropertyKey[];
  message: string;
}

/**
 * The schema's refusals as one problem per key, for every place that validates with it (the config
 * file and the tunnels saved through the API), so both say the same words. An unknown key is reported
 * at its own path, and each of several unknown keys on its own: the config file can then give every
 * typo its own line.
 */
export function schemaProblems(error: z.ZodError): SchemaProblem[] {
  return error.issues.flatMap((issue): SchemaProblem[] => {
    const path = issue.path as PropertyKey[];
    if (issue.code === "unrecognized_keys")
      return issue.keys.map((key) => ({ path: [...path, key], message: `unknown key ${key}` }));
    return [{ path, message: issue.message }];
  });
}
