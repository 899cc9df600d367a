import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";

/** What this daemon changed in the kernel outside its own table, with the value to put back. */
export interface KernelStateRecord {
  /** Interface name ("all" included) -> its route_localnet before we first changed it. */
  routeLocalnet: Record<string, string>;
}

/**
 * The kernel settings we changed, kept in dataDir so that a start after SIGKILL puts them back even when
 * a ruleset flush took the table comment that also records them. Written before the sysctl changes,
 * removed once they are restored; 0600 like every file in dataDir.
 */
export class KernelStateFile {
  constructor(readonly path: string) {}

  read(): KernelStateRecord | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch {
      return undefined;
    }
    try {
      const parsed = JSON.parse(text) as Partial<KernelStateRecord>;
      const values = Object.entries(parsed.routeLocalnet ?? {}).filter(
        ([name, value]) => isInterfaceName(name) && typeof value === "string" && /^\d+$/.test(value),
      );
      return { routeLocalnet: Object.fromEntries(values) };
    } catch {
      return undefined;
    }
  }

  write(record: KernelStateRecord): void {
    // Renamed into place: a crash mid-write leaves the old record, never half a file.
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(record)}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.path);
  }

  remove(): void {
    rmSync(this.path, { force: true });
  }
}

/** An interface name as the kernel allows it (or "all"); anything else never reaches a sysctl argument. */
export function isInterfaceName(name: string): boolean {
  return /^[A-Za-z0-9_.@-]{1,15}$/.test(name) && name !== "." && name !== "..";
}
