import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import type { AutostunConfig } from "@autostun/config";
import { loadConfig } from "@autostun/config";
import { createRootLogger } from "@autostun/runtime";
import type { DependencyContainer } from "tsyringe";
import { type Daemon, startDaemon } from "../daemon.js";
import { rememberToken } from "./known-tokens.js";

/**
 * A real daemon on a free loopback port with a temp dataDir, no STUN servers (tests never reach public
 * ones) and no scheduled runs, not even after a network change (lab tests elsewhere on the machine add
 * and remove interfaces), so a test decides when checks run. `daemon.token` is what every API call
 * must send (`authorization: Bearer …`); `daemon.auth` is that header.
 */
export async function startTestDaemon(
  yaml: Partial<Record<string, unknown>> = {},
  overrides?: (c: DependencyContainer) => void,
): Promise<Daemon & { config: AutostunConfig; logs: string[]; auth: { authorization: string } }> {
  const dataDir = mkdtempSync(join(tmpdir(), "autostun-data-"));
  const config = loadConfig({ env: {} }).config;
  Object.assign(config, {
    dataDir,
    stun: { udp: [], tcp: [] },
    checks: { intervalSeconds: 0, runOnStart: false },
    api: { listen: "127.0.0.1:0" },
    plugins: { dirs: [], config: {} },
    ...yaml,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const daemon = await startDaemon(config, createRootLogger("debug", sink), overrides, {
    followNetwork: false,
  });
  rememberToken(daemon.url, daemon.token);
  return Object.assign(daemon, { config, logs, auth: { authorization: `Bearer ${daemon.token}` } });
}
