import type { Plugin } from "vite";
import {
  type BundleEntry,
  INITIAL_LOAD_BUDGET_BYTES,
  initialLoadFiles,
  initialLoadReport,
  measure,
} from "./initialLoad.js";

/**
 * Prints the console's initial load after every production build and fails the build when it is
 * over budget, so a heavy dependency is caught by `npm run build`, not by users on slow links.
 */
export function initialLoadBudget(budget = INITIAL_LOAD_BUDGET_BYTES): Plugin {
  return {
    name: "autostun-initial-load-budget",
    apply: "build",
    enforce: "post",
    // After writing, when the bundle also holds the HTML page Vite emits late in generation.
    writeBundle(_options, bundle) {
      const entries = bundle as unknown as Record<string, BundleEntry>;
      const report = initialLoadReport(measure(entries, initialLoadFiles(entries)), budget);
      // Printed through stdout directly: Vite's logger hides info at --logLevel warn, and the
      // figure should show in every build log.
      process.stdout.write(`${report.text}\n`);
      if (!report.fits)
        this.error(
          `the console's initial load is ${(report.totalGzipBytes / 1000).toFixed(1)} kB gzipped, over the ${(budget / 1000).toFixed(0)} kB budget; load the heavy part with import() or drop it`,
        );
    },
  };
}
