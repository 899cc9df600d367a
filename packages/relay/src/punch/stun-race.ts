import { getMappedAddress, TcpStunConnection } from "@autostun/stun";
import { closeAbortively } from "./abortive-close.js";
import { resolveEndpoint } from "./endpoint.js";
import { isLocalPortBusy } from "./local-port-busy.js";

/** The public side of a mapping, as a STUN server saw it. */
export interface PublicAddress {
  ip: string;
  port: number;
}

/** What a punch learned. */
export interface PunchResult {
  publicAddress: PublicAddress;
  /** The configured "host:port" of the server whose answer won. */
  server: string;
  /** The local port the mapping belongs to (the OS's choice when none was asked for). */
  localPort: number;
}

export interface PunchOptions {
  /** Connect from this port (SO_REUSEADDR, so it can be shared); an ephemeral port when absent. */
  localPort?: number;
  /** Cap on connect and on the answer, each, per server. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** One server's failure inside a punch. */
export interface ServerFailure {
  server: string;
  reason: string;
  error: unknown;
}

/** No STUN server answered. `localPortBusy` says the local port, not the servers, was the problem. */
export class PunchFailedError extends Error {
  readonly localPortBusy: boolean;

  constructor(
    readonly failures: readonly ServerFailure[],
    localPort: number | undefined,
  ) {
    const from = localPort ? ` from local port ${localPort}` : "";
    const list = failures.map((f) => `${f.server}: ${f.reason}`).join("; ");
    // Out of descriptors no socket can be made at all: blaming the servers would send the user the wrong way.
    const exhausted = failures.length > 0 && failures.every((f) => /\b(EMFILE|ENFILE)\b/.test(f.reason));
    super(
      failures.length === 0
        ? "no STUN server over TCP is configured; add at least one to stun.tcp"
        : exhausted
          ? `no socket could be made to punch${from} (${list}): AutoSTUN is out of file descriptors; it retries, ` +
            "and succeeds once connections close or the open-files limit is raised (LimitNOFILE=, ulimit -n)"
          : `no STUN server answered over TCP${from} (${list}); check that the stun.tcp servers are reachable ` +
            "from this host (firewall, DNS, outbound TCP)",
    );
    this.name = "PunchFailedError";
    this.localPortBusy = failures.some((f) => isLocalPortBusy(f.error));
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * STUN Binding over TCP to every server at once; the first good answer wins and the other attempts
 * are cancelled. Asking all servers together makes a dead server cost nothing while another answers.
 * Every connection is closed with a reset, so the same port can dial the same servers again at once.
 */
export async function punchStun(servers: readonly string[], options: PunchOptions): Promise<PunchResult> {
  if (servers.length === 0) throw new PunchFailedError([], options.localPort);
  const race = new AbortController();
  const onOuterAbort = () => race.abort();
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });
  const open: TcpStunConnection[] = [];
  const failures: ServerFailure[] = [];

  const ask = async (server: string): Promise<PunchResult> => {
    const endpoint = await resolveEndpoint(server, `STUN server ${server}`);
    const connection = await TcpStunConnection.connect(endpoint, {
      localPort: options.localPort,
      timeoutMs: options.timeoutMs,
      signal: race.signal,
    });
    if (race.signal.aborted) {
      closeAbortively(connection.socket);
      throw new Error("another server answered first");
    }
    open.push(connection);
    const reply = await connection.request({ timeoutMs: options.timeoutMs, signal: race.signal });
    const mapped = getMappedAddress(reply.message);
    if (reply.message.class !== "success" || !mapped) {
      throw new Error(`answered ${reply.message.class} without a mapped address`);
    }
    return {
      publicAddress: { ip: mapped.address, port: mapped.port },
      server,
      localPort: connection.local.port,
    };
  };

  try {
    return await Promise.any(
      servers.map((server) =>
        ask(server).catch((error: unknown) => {
          failures.push({ server, reason: reasonOf(error), error });
          throw error;
        }),
      ),
    );
  } catch {
    throw new PunchFailedError(
      servers.map((s) => failures.find((f) => f.server === s)!),
      options.localPort,
    );
  } finally {
    options.signal?.removeEventListener("abort", onOuterAbort);
    race.abort();
    for (const connection of open) closeAbortively(connection.socket);
  }
}
