import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { type Endpoint, parseHostPort } from "@autostun/stun";

/** A configured "host:port" turned into an address to connect to, plus the host name for headers. */
export interface ResolvedEndpoint extends Endpoint {
  host: string;
}

/** Resolve "host:port" (IPv4 preferred); the error says which entry and why. */
export async function resolveEndpoint(text: string, what: string): Promise<ResolvedEndpoint> {
  const parsed = parseHostPort(text);
  if ("error" in parsed) throw new Error(`${what}: ${parsed.error}`);
  if (isIP(parsed.host)) return { host: parsed.host, address: parsed.host, port: parsed.port };
  try {
    const all = await lookup(parsed.host, { all: true });
    const first = [...all].sort((a, b) => a.family - b.family)[0];
    if (!first) throw new Error("no address");
    return { host: parsed.host, address: first.address, port: parsed.port };
  } catch (error) {
    throw new Error(
      `${what}: cannot resolve ${parsed.host} (${error instanceof Error ? error.message : String(error)}); check DNS or use an IP address`,
      { cause: error },
    );
  }
}
