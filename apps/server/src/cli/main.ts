import { constants as osConstants } from "node:os";
import { resolve } from "node:path";
import { ConfigError, loadConfig } from "@autostun/config";
import { createRootLogger } from "@autostun/runtime";
import { Command, CommanderError, Option } from "commander";
import { StartupRefused, startDaemon } from "../daemon.js";
import { runDoctor } from "./doctor.js";
import { EXIT_OK, EXIT_USAGE } from "./exit-codes.js";
import { runStatus } from "./status.js";

interface CommonFlags {
  config?: string;
  listen?: string;
  dataDir?: string;
  pluginsDir?: string[];
}

function flagSettings(flags: CommonFlags) {
  const settings: { path: string[]; value: unknown; label: string }[] = [];
  if (flags.listen) settings.push({ path: ["api", "listen"], value: flags.listen, label: "flag --listen" });
  if (flags.dataDir) settings.push({ path: ["dataDir"], value: flags.dataDir, label: "flag --data-dir" });
  if (flags.pluginsDir?.length)
    settings.push({ path: ["plugins", "dirs"], value: flags.pluginsDir, label: "flag --plugins-dir" });
  return settings;
}

function load(flags: CommonFlags) {
  return loadConfig({ ...(flags.config ? { file: flags.config } : {}), flags: flagSettings(flags) }).config;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function common(command: Command): Command {
  return command
    .option("-c, --config <file>", "YAML config file (default: embedded defaults)")
    .option("--data-dir <dir>", "where state and SQLite live (config: dataDir)")
    .option("--plugins-dir <dir>", "a folder of plugins; repeatable (config: plugins.dirs)", collect);
}

/**
 * What `serve` prints once it serves. On a terminal the console URL carries the token in its fragment
 * (which browsers never send to a server), so one click signs in, as Jupyter and Syncthing do. Anywhere
 * else (the journal, `docker logs`) other people may read the output: the URL comes without the token,
 * with where the token is instead. The JSON log never holds it.
 */
function consoleLines(daemon: { url: string; token: string; tokenFile: string | undefined }): string {
  const api = `GraphQL API: ${daemon.url}graphql\n`;
  if (process.stdout.isTTY)
    return `AutoSTUN console: ${daemon.url}#token=${encodeURIComponent(daemon.token)}\n${api}`;
  const where = daemon.tokenFile
    ? `in ${daemon.tokenFile} (readable only by the user AutoSTUN runs as)`
    : "api.token in the configuration";
  return `AutoSTUN console: ${daemon.url}\n${api}API token: ${where}; the console asks for it once.\n`;
}

const STOP_SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** Resolves with the first SIGINT or SIGTERM. */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handlers = STOP_SIGNALS.map((name) => {
      const handler = () => {
        for (const [index, other] of STOP_SIGNALS.entries())
          process.off(other, handlers[index] as () => void);
        resolve(name);
      };
      process.on(name, handler);
      return handler;
    });
  });
}

/** A second signal while stopping means the user will not wait: exit now, as a shell expects (128 + n). */
function forceExitOnSecondSignal(): void {
  for (const name of STOP_SIGNALS) {
    process.once(name, () => {
      process.stderr.write(`autostun: ${name} again: exiting without waiting for the stop to finish\n`);
      process.exit(128 + (osConstants.signals[name] ?? 0));
    });
  }
}

/** Builds the `autostun` command line. `run` resolves with the exit code. */
export function buildCli(setExitCode: (code: number) => void): Command {
  const program = new Command("autostun")
    .description(
      "Open and keep a port on a full-cone NAT for your BitTorrent client, and diagnose why it can or cannot.",
    )
    .exitOverride()
    .showHelpAfterError();

  common(program.command("serve"))
    .description("run the daemon: checks, GraphQL API and web console")
    .option("--listen <host:port>", "API and console address (config: api.listen)")
    .action(async (flags: CommonFlags) => {
      const config = load(flags);
      const logger = createRootLogger(config.log.level);
      // Listening before start-up means a signal during it stops the daemon once it is up, not mid-way.
      const stopAsked = stopSignal();
      // Until the daemon serves, a reload has nothing to apply to; SIGHUP's default would end the process.
      const tooEarly = () =>
        logger.warn("SIGHUP while starting: ignored; reload again once AutoSTUN is serving");
      process.on("SIGHUP", tooEarly);
      const daemon = await startDaemon(config, logger, undefined, {
        notice: (line) => process.stderr.write(`autostun: ${line}\n`),
        // SIGHUP and Mutation.reloadConfig read the same file, environment and flags again.
        reload: { load: () => load(flags), ...(flags.config ? { file: resolve(flags.config) } : {}) },
      });
      process.off("SIGHUP", tooEarly);
      process.stdout.write(consoleLines(daemon));
      const signal = await stopAsked;
      logger.info("stopping; send the signal again to exit at once", { signal });
      forceExitOnSecondSignal();
      await daemon.stop();
      setExitCode(EXIT_OK);
    });

  common(program.command("doctor"))
    .description(
      "run the checks once and print what is wrong and how to fix it (exit 0 ok, 1 problems, 2 bad usage)",
    )
    .option("--json", "print one JSON object { checks: [...] } instead of the report")
    .option("--check <id>", "run only this check (and what it depends on); repeatable", collect)
    .option("-v, --verbose", "log what the checks do to stderr")
    .action(async (flags: CommonFlags & { json?: boolean; check?: string[]; verbose?: boolean }) => {
      const config = load(flags);
      setExitCode(
        await runDoctor(config, {
          json: Boolean(flags.json),
          checks: flags.check ?? [],
          verbose: Boolean(flags.verbose),
        }),
      );
    });

  program
    .command("status")
    .description("ask the running daemon for its tunnels and checks (exit 0 ok, 1 problems or no daemon)")
    .option("-c, --config <file>", "the config file the daemon runs with (for api.listen and api.token)")
    .option("--data-dir <dir>", "the daemon's dataDir, where its API token file is (config: dataDir)")
    .option(
      "--token <token>",
      "the API token (default: api.token, AUTOSTUN_API_TOKEN, or <dataDir>/api-token)",
    )
    .option("--json", "print one JSON object { tunnels: [...], checks: [...] }")
    .action(async (flags: CommonFlags & { json?: boolean; token?: string }) => {
      setExitCode(
        await runStatus(load(flags), {
          json: Boolean(flags.json),
          ...(flags.token ? { token: flags.token } : {}),
        }),
      );
    });

  program
    .command("stun-server")
    .description("run an RFC 5780 STUN server (UDP and TCP) on two addresses and two ports")
    .addOption(new Option("--primary <ip>", "primary address").makeOptionMandatory())
    .option("--alternate <ip>", "alternate address (enables OTHER-ADDRESS and CHANGE-REQUEST)")
    .option("--port <port>", "primary port", "3478")
    .option("--alt-port <port>", "alternate port", "3479")
    .option("--no-udp", "serve TCP only")
    .option("--no-tcp", "serve UDP only")
    .option("--software <text>", "SOFTWARE attribute to send")
    .option("--json", "print the endpoints as one JSON line when ready")
    .action(async () => {
      // The STUN package parses its own flags (it also runs standalone in the lab); commander only documents them.
      const { runStunServerCli } = await import("@autostun/stun");
      const at = process.argv.indexOf("stun-server");
      setExitCode(await runStunServerCli(process.argv.slice(at + 1)));
    });

  return program;
}

/** Runs the CLI and maps every way it can end to the contract's exit codes. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildCli((value) => {
    code = value;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (error instanceof ConfigError || error instanceof StartupRefused) {
      process.stderr.write(`autostun: ${error.message}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(
      `autostun: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}
