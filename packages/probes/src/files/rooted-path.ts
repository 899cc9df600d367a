import { isAbsolute, relative, resolve } from "node:path";

/**
 * Where an absolute host path lives under `root`, or undefined when it is relative or would climb out of
 * the root (`/../x`). Every reader of host files goes through this one rule, so a fixture root confines
 * them all the same way.
 */
export function pathUnderRoot(root: string, path: string): string | undefined {
  if (!isAbsolute(path)) return undefined;
  const base = resolve(root);
  const full = resolve(base, `.${path}`);
  const rel = relative(base, full);
  if (rel.startsWith("..") || isAbsolute(rel)) return undefined;
  return full;
}
