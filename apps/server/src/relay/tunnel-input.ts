import { formatKey } from "../config/errors.js";
import { type TunnelConfig, tunnelSchema } from "../config/schema.js";
import { schemaProblems } from "../config/schema-problems.js";

/** One reason a tunnel definition was refused, keyed like the config file's errors. */
export interface TunnelProblem {
  key: string;
  message: string;
}

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
  throw new InvalidTunnelError(
    schemaProblems(parsed.error).map(({ path, message }) => ({
      key: formatKey(["tunnel", ...path]),
      message,
    })),
  );
}
