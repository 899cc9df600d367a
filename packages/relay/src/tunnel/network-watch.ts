import { readFile } from "node:fs/promises";
import { readInterfaces } from "../ip/interfaces.js";

/** Where the watch reads the host's network from; tests pass fakes. */
export interface NetworkSource {
  /** "interface address" for every non-loopback address. */
  addresses(): string[];
  /** One line per default route (any family); empty where the host does not tell. */
  defaultRoutes(): Promise<string[]>;
}

/** A comparable picture of what decides where our packets leave from. */
export interface NetworkSnapshot {
  addresses: string[];
  routes: string[];
}

function hexToIpv4(hex: string): string {
  // /proc/net/route prints addresses little-endian.
  const bytes = hex.match(/../g)?.map((b) => Number.parseInt(b, 16)) ?? [];
  return bytes.reverse().join(".");
}

/** Default routes from /proc/net/route and /proc/net/ipv6_route text. */
export function parseDefaultRoutes(ipv4Table: string, ipv6Table: string): string[] {
  const routes: string[] = [];
  for (const line of ipv4Table.split("\n").slice(1)) {
    const [iface, destination, gateway, , , , metric, mask] = line.trim().split(/\s+/);
    if (destination === "00000000" && mask === "00000000" && iface && gateway) {
      routes.push(`${iface} via ${hexToIpv4(gateway)} metric ${metric ?? "?"}`);
    }
  }
  for (const line of ipv6Table.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 10 && /^0{32}$/.test(f[0]!) && f[1] === "00" && f[9] !== "lo") {
      routes.push(`${f[9]} via6 ${f[4]} metric ${f[5]}`);
    }
  }
  return routes;
}

/** The host's own view: os.networkInterfaces() and the kernel's route tables (Linux). */
export const hostNetworkSource: NetworkSource = {
  addresses() {
    const out: string[] = [];
    for (const [name, list] of Object.entries(readInterfaces())) {
      for (const info of list ?? []) if (!info.internal) out.push(`${name} ${info.address}`);
    }
    return out;
  },
  async defaultRoutes() {
    // Elsewhere than Linux these files do not exist; addresses alone still reveal most changes.
    const read = (path: string) => readFile(path, "utf8").catch(() => "");
    const [v4, v6] = await Promise.all([read("/proc/net/route"), read("/proc/net/ipv6_route")]);
    return parseDefaultRoutes(v4, v6);
  },
};

export async function takeSnapshot(source: NetworkSource): Promise<NetworkSnapshot> {
  return { addresses: [...source.addresses()].sort(), routes: [...(await source.defaultRoutes())].sort() };
}

/** What changed between two snapshots, in words, or undefined when nothing did. */
export function describeChange(before: NetworkSnapshot, after: NetworkSnapshot): string | undefined {
  const diff = (a: string[], b: string[]) => ({
    added: b.filter((x) => !a.includes(x)),
    removed: a.filter((x) => !b.includes(x)),
  });
  const parts: string[] = [];
  const addr = diff(before.addresses, after.addresses);
  if (addr.added.length) parts.push(`address added: ${addr.added.join(", ")}`);
  if (addr.removed.length) parts.push(`address removed: ${addr.removed.join(", ")}`);
  const route = diff(before.routes, after.routes);
  if (route.added.length || route.removed.length) {
    parts.push(
      `default route ${route.removed.join(", ") || "(none)"} -> ${route.added.join(", ") || "(none)"}`,
    );
  }
  return parts.length ? `local network changed: ${parts.join("; ")}` : undefined;
}

/** How often the same failure to read the network is reported again while it lasts. */
const ERROR_REPEAT_MS = 60_000;

/**
 * Polls the local addresses and default routes and calls `onChange` with what changed. Polling is
 * cheap here (a syscall and two small proc files) and needs neither netlink nor root.
 */
export class NetworkWatch {
  private timer: NodeJS.Timeout | undefined;
  private last: NetworkSnapshot | undefined;
  private busy = false;
  /** The last failure reported, so one that repeats every poll (EMFILE) is told once a minute. */
  private lastError: { text: string; at: number } | undefined;

  constructor(
    private readonly source: NetworkSource,
    private readonly pollMs: number,
    private readonly onChange: (description: string) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  async start(): Promise<void> {
    // The timer first: if this first read fails (out of descriptors), the polls take it up later.
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.last = await takeSnapshot(this.source);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One comparison now (the interval calls this; tests may too). */
  async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const next = await takeSnapshot(this.source);
      const change = this.last && describeChange(this.last, next);
      this.last = next;
      this.lastError = undefined;
      if (change && this.timer) this.onChange(change);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      const now = Date.now();
      if (this.lastError?.text === text && now - this.lastError.at < ERROR_REPEAT_MS) return;
      this.lastError = { text, at: now };
      this.onError(error);
    } finally {
      this.busy = false;
    }
  }
}
