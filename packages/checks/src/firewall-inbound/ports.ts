import type { TunnelPorts } from "@autostun/plugins-api";

/**
 * The port judged when no tunnel is configured and the config names none: BitTorrent's customary
 * listening port, so a fresh install still learns whether its firewall admits unsolicited inbound TCP.
 */
export const DEFAULT_PORT = 6881;

export type PortSource = "tunnels" | "config" | "default";

/**
 * Ports to judge: the tunnels' local ports; else `port` from this check's config section
 * (`plugins.config["@autostun/check-firewall-inbound"].port`); else {@link DEFAULT_PORT}.
 */
export async function portsToEvaluate(
  tunnels: TunnelPorts,
  config: Readonly<Record<string, unknown>>,
): Promise<{ ports: number[]; source: PortSource }> {
  const fromTunnels = [...new Set(await tunnels.localPorts())].filter((p) => p > 0);
  if (fromTunnels.length > 0) return { ports: fromTunnels, source: "tunnels" };
  const configured = config.port;
  if (configured === undefined) return { ports: [DEFAULT_PORT], source: "default" };
  if (typeof configured !== "number" || !Number.isInteger(configured) || configured < 1 || configured > 65535)
    throw new Error(
      `plugins.config["@autostun/check-firewall-inbound"].port must be an integer from 1 to 65535, got ${JSON.stringify(configured)}`,
    );
  return { ports: [configured], source: "config" };
}
