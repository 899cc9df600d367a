import type { NamedCommands } from "@autostun/config";
import { formatKey, schemaProblems, type TunnelConfig, tunnelSchema } from "@autostun/config";
import type { z } from "zod";
import { apiTunnelProblems, rawCommandProblems } from "./api-tunnel-rules.js";
import type { TunnelProblem } from "./tunnel-problem.js";

export type { TunnelProblem } from "./tunnel-problem.js";

/** A tunnel definition from the API that the config file's own rules refuse. */
export class InvalidTunnelError extends Error {
  readonly code = "INVALID_TUNNEL";
  constructor(readonly problems: TunnelProblem[]) {
    super(`invalid tunnel:\n${problems.map((p) => `  - ${p.key}: ${p.message}`).join("\n")}`);
    this.name = "InvalidTunnelError";
  }
}

/**
 * Validates a tunnel exactly as one entry of `tunnels[]` in the config file is validated: the same
 * schema, so the same defaults and the same words (keys read `tunnel.target`, `tunnel.localPort`, …).
 */
export function parseTunnel(input: unknown): TunnelConfig {
  const parsed = tunnelSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new InvalidTunnelError(problemsOf(parsed.error));
}

function problemsOf(error: z.ZodError): TunnelProblem[] {
  return schemaProblems(error).map(({ path, message }) => ({
    key: formatKey(["tunnel", ...path]),
    message,
  }));
}

/**
 * A tunnel from the API (saveTunnel, or saved through it before): the file's rules, and beyond them no
 * program of its own (only a name from the file's `commands`) and no reserved webhook secret header.
 */
export function parseApiTunnel(input: unknown, commands: NamedCommands): TunnelConfig {
  const refused = rawCommandProblems(input);
  const parsed = tunnelSchema.safeParse(input);
  if (!parsed.success) throw new InvalidTunnelError([...refused, ...problemsOf(parsed.error)]);
  const problems = [...refused, ...apiTunnelProblems(parsed.data, commands)];
  if (problems.length > 0) throw new InvalidTunnelError(problems);
  return parsed.data;
}
