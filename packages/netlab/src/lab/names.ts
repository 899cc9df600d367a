import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { LabNamespaces } from "./types.js";

/** Every namespace the lab makes starts with this, so the sweeper can recognise them. */
export const LAB_PREFIX = "asl";

const NAME_PATTERN = /^asl-(\d+)-([0-9a-f]{6})-(lan|rtr|wan|home)$/;

/** A fresh lab id: the owning pid (for the sweeper) plus randomness (for parallel labs). */
export function newLabId(pid: number = process.pid): string {
  return `${pid}-${randomBytes(3).toString("hex")}`;
}

/** Namespace names for a lab id. */
export function namespacesFor(id: string, withHomeRouter = false): LabNamespaces {
  return {
    lan: `${LAB_PREFIX}-${id}-lan`,
    router: `${LAB_PREFIX}-${id}-rtr`,
    wan: `${LAB_PREFIX}-${id}-wan`,
    ...(withHomeRouter ? { home: `${LAB_PREFIX}-${id}-home` } : {}),
  };
}

/** The pid and lab id encoded in a namespace name, or undefined when it is not a lab namespace. */
export function parseNamespaceName(name: string): { pid: number; id: string } | undefined {
  const m = NAME_PATTERN.exec(name);
  if (!m) return undefined;
  return { pid: Number(m[1]), id: `${m[1]}-${m[2]}` };
}

/**
 * Whether a process with this pid still runs. A zombie counts as dead: a killed server
 * whose parent died first may wait a long time for a reaper, but it holds nothing.
 */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  try {
    // "pid (comm) S ...": the state follows the last ")" since comm may contain one.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
  } catch {
    // Gone between the two looks.
    return true;
  }
}
