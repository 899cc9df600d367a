import { formatKey } from "../config/errors.js";
import { type TunnelConfig, tunnelSchema } from "../config/schema.js";

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
    parsed.error.issues.map((issue) => {
      const path = issue.path as PropertyKey[];
      const keyPath = issue.code === "unrecognized_keys" ? [...path, issue.keys[0] ?? ""] : path;
      const message =
        issue.code === "unrecognized_keys"
          ? `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`
          : issue.message;
      return { key: formatKey(["tunnel", ...keyPath]), message };
    }),
  );
}
