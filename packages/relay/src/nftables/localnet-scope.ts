import type { CommandRunner } from "@autostun/plugins-api";
import { isInterfaceName, type KernelStateFile } from "./kernel-state-file.js";
import { readRouteLocalnet, writeRouteLocalnet } from "./route-localnet.js";

/**
 * route_localnet on the interfaces peers arrive on, with what each was before we changed it. The
 * previous values are written to the state file (when there is one) before any sysctl changes, and
 * into the guard chain's comment, so either survives a crash to tell the next start what to restore.
 */
export class LocalnetScope {
  private readonly before = new Map<string, string>();

  constructor(
    private readonly runner: CommandRunner,
    private readonly stateFile?: KernelStateFile,
  ) {}

  /** Whether we hold (or are about to hold) route_localnet changed anywhere. */
  get active(): boolean {
    return this.before.size > 0;
  }

  /** For the guard's comment: `eth0=0,all=0`. */
  describe(): string {
    return [...this.before].map(([iface, value]) => `${iface}=${value}`).join(",");
  }

  /** Values learnt from a table an earlier run left: they, not what the kernel holds now, are "before". */
  adopt(values: Readonly<Record<string, string>>): void {
    for (const [iface, value] of Object.entries(values))
      if (!this.before.has(iface)) this.before.set(iface, value);
  }

  /** Records each interface's value before it is first changed; call before the guard is loaded. */
  async prepare(interfaces: readonly string[]): Promise<void> {
    let added = false;
    for (const iface of interfaces) {
      if (this.before.has(iface)) continue;
      this.before.set(iface, await readRouteLocalnet(this.runner, iface));
      added = true;
    }
    if (added || (this.stateFile && !this.stateFile.read())) this.save();
  }

  /** Turns it on where it was off; only once the guard chain is in place. */
  async enable(): Promise<void> {
    for (const [iface, value] of this.before)
      if (value !== "1") await writeRouteLocalnet(this.runner, "1", iface);
  }

  /**
   * Puts every value back. `keep` holds on to the record (and the state file) for an enable that
   * follows, as when rules that vanished are about to be loaded again.
   */
  async restore(keep = false): Promise<void> {
    const errors: string[] = [];
    for (const [iface, value] of this.before) {
      if (value === "1") continue;
      await writeRouteLocalnet(this.runner, value, iface).catch((error: Error) => errors.push(error.message));
    }
    if (errors.length > 0) throw new Error(errors.join("; "));
    if (keep) return;
    this.before.clear();
    this.stateFile?.remove();
  }

  private save(): void {
    this.stateFile?.write({ routeLocalnet: Object.fromEntries(this.before) });
  }
}

/**
 * The previous values a guard comment records: `route_localnet was eth0=0,all=0`, or the older
 * `route_localnet was 0`, which meant "all".
 */
export function parseGuardComment(comment: string | undefined): Record<string, string> {
  const text = /route_localnet was (\S+)/.exec(comment ?? "")?.[1];
  if (!text) return {};
  if (/^\d+$/.test(text)) return { all: text };
  const values: Record<string, string> = {};
  for (const part of text.split(",")) {
    const [iface, value] = part.split("=");
    if (iface && value && isInterfaceName(iface) && /^\d+$/.test(value)) values[iface] = value;
  }
  return values;
}
