import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** What goes into a lab-made AutoSTUN config. */
export interface LabConfigInput {
  dir: string;
  /** Distinguishes several configs of one lab. */
  index: number;
  stun: { udp: readonly string[]; tcp: readonly string[] };
  extra?: Record<string, unknown>;
}

/**
 * Write an AutoSTUN config file and return its path. JSON is valid YAML, so the file is
 * written as JSON: no YAML library needed and no quoting surprises.
 */
export async function writeLabConfig(input: LabConfigInput): Promise<string> {
  const dataDir = join(input.dir, `data-${input.index}`);
  await mkdir(dataDir, { recursive: true });
  const config: Record<string, unknown> = {
    dataDir,
    stun: { udp: [...input.stun.udp], tcp: [...input.stun.tcp] },
    ...input.extra,
  };
  const path = join(input.dir, `autostun-${input.index}.yaml`);
  await writeFile(
    path,
    `# AutoSTUN config written by netlab for a test lab\n${JSON.stringify(config, null, 2)}\n`,
  );
  return path;
}
