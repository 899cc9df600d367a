import { formatAddress } from "../message/accessors.js";
import type { StunServerOptions } from "./options.js";
import { type StunServer, startStunServer } from "./stun-server.js";

export interface CliIo {
  stdout?: (line: string) => void;
  stderr?: (line: string) => void;
  /** Stops the server when aborted; default: SIGINT or SIGTERM. */
  signal?: AbortSignal;
  /** Called once the server is listening (tests and scripts use it to know it is ready). */
  onReady?: (server: StunServer) => void;
}

const USAGE =
  "usage: stun-server --primary IP [--alternate IP] [--port 3478] [--alt-port 3479] [--software TEXT]\n" +
  "                   [--no-udp] [--no-tcp] [--json] [--lie-about-change-request]";

/** Parses command-line arguments; returns options or an error text naming the bad argument. */
export function parseStunServerArgs(
  argv: readonly string[],
): { ok: true; options: StunServerOptions; json: boolean } | { ok: false; error: string } {
  const options: Partial<StunServerOptions> = {};
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string | undefined => {
      const v = argv[i + 1];
      i++;
      return v === undefined || v.startsWith("--") ? undefined : v;
    };
    const port = (name: string): number | string => {
      const v = value();
      const n = Number(v);
      return v !== undefined && Number.isInteger(n) && n >= 0 && n <= 65535
        ? n
        : `${name} needs a port 0..65535, got ${v ?? "nothing"}`;
    };
    switch (arg) {
      case "--primary":
      case "--alternate":
      case "--software": {
        const v = value();
        if (v === undefined) return { ok: false, error: `${arg} needs a value` };
        if (arg === "--primary") options.primary = v;
        else if (arg === "--alternate") options.alternate = v;
        else options.software = v;
        break;
      }
      case "--port":
      case "--alt-port": {
        const p = port(arg);
        if (typeof p === "string") return { ok: false, error: p };
        if (arg === "--port") options.port = p;
        else options.altPort = p;
        break;
      }
      case "--no-udp":
        options.udp = false;
        break;
      case "--no-tcp":
        options.tcp = false;
        break;
      case "--json":
        json = true;
        break;
      case "--lie-about-change-request":
        options.lieAboutChangeRequest = true;
        break;
      default:
        return { ok: false, error: `unknown argument ${JSON.stringify(arg)}` };
    }
  }
  if (!options.primary) return { ok: false, error: "--primary is required" };
  return { ok: true, options: options as StunServerOptions, json };
}

/**
 * Runs the STUN server from command-line arguments until SIGINT/SIGTERM (or `io.signal`).
 * Resolves with the process exit code: 0 after a clean stop, 1 when it could not start, 2 for
 * bad usage. Prints each endpoint, then a `ready` line (or one JSON object with `--json`).
 */
export async function runStunServerCli(argv: string[], io: CliIo = {}): Promise<number> {
  const out = io.stdout ?? ((line) => process.stdout.write(`${line}\n`));
  const err = io.stderr ?? ((line) => process.stderr.write(`${line}\n`));
  const parsed = parseStunServerArgs(argv);
  if (!parsed.ok) {
    err(`stun-server: ${parsed.error}`);
    err(USAGE);
    return 2;
  }
  let server: StunServer;
  try {
    server = await startStunServer({ ...parsed.options, onError: (e) => err(`stun-server: ${e.message}`) });
  } catch (error) {
    err(`stun-server: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  if (parsed.json) {
    out(JSON.stringify({ ready: true, endpoints: server.endpoints }));
  } else {
    for (const e of server.endpoints) out(`listening ${e.transport} ${formatAddress(e)}`);
    out("ready");
  }
  io.onReady?.(server);
  await new Promise<void>((resolve) => {
    if (io.signal) {
      if (io.signal.aborted) resolve();
      else io.signal.addEventListener("abort", () => resolve(), { once: true });
      return;
    }
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await server.close();
  return 0;
}
