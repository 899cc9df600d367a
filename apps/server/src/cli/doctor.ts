import type { AutostunConfig } from "@autostun/config";
import type { ExtensionHost } from "@autostun/extension-host";
import { type CheckEngine, UnknownCheckError } from "@autostun/extension-host";
import { isProblemStatus } from "@autostun/plugins-api";
import { createRootLogger } from "@autostun/runtime";
import { openDatabase } from "@autostun/store";
import { buildContainer } from "../container.js";
import { Tokens } from "../tokens.js";
import { toJsonReport, toTextReport } from "./doctor-report.js";
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE } from "./exit-codes.js";
import { terminalLocale } from "./locale.js";

export interface DoctorOptions {
  json: boolean;
  checks: string[];
  verbose: boolean;
}

/** Runs the checks once and prints the report. Writes nothing under dataDir: results live in memory. */
export async function runDoctor(config: AutostunConfig, options: DoctorOptions): Promise<number> {
  const logger = createRootLogger(options.verbose ? "debug" : "error");
  const database = openDatabase(":memory:");
  const container = buildContainer({ config, logger, database });
  const host = container.resolve<ExtensionHost>(Tokens.ExtensionHost);
  const engine = container.resolve<CheckEngine>(Tokens.CheckEngine);
  try {
    await host.activateStartup();
    const states = await engine.run(options.checks.length > 0 ? options.checks : undefined);
    const locale = terminalLocale(config.locale);
    if (options.json) process.stdout.write(`${JSON.stringify(toJsonReport(states, locale), null, 2)}\n`);
    else process.stdout.write(toTextReport(states, locale, Boolean(process.stdout.isTTY)));
    return states.some((state) => isProblemStatus(state.status)) ? EXIT_PROBLEMS : EXIT_OK;
  } catch (error) {
    if (error instanceof UnknownCheckError) {
      const known = engine
        .list()
        .map((state) => state.id)
        .join(", ");
      process.stderr.write(`autostun doctor: ${error.message}. Known checks: ${known}\n`);
      return EXIT_USAGE;
    }
    throw error;
  } finally {
    await host.dispose();
    database.close();
  }
}
