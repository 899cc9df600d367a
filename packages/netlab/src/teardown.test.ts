import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { createLab } from "./lab/create-lab.js";
import { isPidAlive } from "./lab/names.js";
import { listNamespaces } from "./lab/namespaces.js";
import { sweepStaleLabs } from "./lab/sweep.js";
import type { LabNamespaces } from "./lab/types.js";

const FIXTURE = fileURLToPath(new URL("./fixtures/hold-lab.ts", import.meta.url));

interface Held {
  child: ChildProcess;
  namespaces: LabNamespaces;
  serverPids: number[];
}

/** Start a separate process that builds a lab and keeps it (a test run we can crash). */
async function holdLab(mode: "wait" | "exit" = "wait"): Promise<Held> {
  const child = spawn(
    process.execPath,
    ["--import", import.meta.resolve("tsx"), FIXTURE, "NAT1", "coturn", mode],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  child.stderr?.on("data", (c: Buffer) => {
    err += c.toString();
  });
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("\n")) resolve(out.slice(0, out.indexOf("\n")));
    });
    child.once("exit", (code) => reject(new Error(`fixture exited ${code} before reporting: ${err}`)));
  });
  const report = JSON.parse(line) as { namespaces: LabNamespaces; serverPids: string };
  const serverPids = report.serverPids.split(/\s+/).filter(Boolean).map(Number);
  return { child, namespaces: report.namespaces, serverPids };
}

async function existing(ns: LabNamespaces): Promise<string[]> {
  const all = new Set(await listNamespaces());
  return Object.values(ns).filter((n) => all.has(n));
}

// Each test owns its labs (or its own process), so they run side by side.
describe.concurrent("lab teardown", () => {
  test("teardown() removes every namespace and process of the lab, and may be called twice", async () => {
    const lab = await createLab({ nat: "NAT1", stun: "coturn" });
    const pids = (await lab.exec("wan", "ip", ["netns", "pids", lab.namespaces.wan])).stdout
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
    expect(pids.length).toBeGreaterThan(0);
    expect(await existing(lab.namespaces)).toHaveLength(3);
    await lab.teardown();
    await lab.teardown();
    expect(await existing(lab.namespaces)).toEqual([]);
    expect(pids.filter(isPidAlive)).toEqual([]);
    expect(() => lab.spawn("lan", "true")).toThrow(/torn down/);
  });

  test("the sweeper removes the labs of a run that crashed (SIGKILL), processes included", async () => {
    const held = await holdLab();
    expect(await existing(held.namespaces)).toHaveLength(3);
    expect(held.serverPids.length).toBeGreaterThan(0);
    held.child.kill("SIGKILL");
    await once(held.child, "exit");
    // A crash gives the process no chance to clean up. (Whether everything is still there
    // now is not asserted: a lab built by another test process at this moment sweeps too.)
    await sweepStaleLabs();
    expect(await existing(held.namespaces)).toEqual([]);
    expect(held.serverPids.filter(isPidAlive)).toEqual([]);
  });

  test("the sweeper leaves labs of live processes alone", async () => {
    const held = await holdLab();
    try {
      await sweepStaleLabs();
      expect(await existing(held.namespaces)).toHaveLength(3);
    } finally {
      held.child.kill("SIGTERM");
      await once(held.child, "exit");
    }
  });

  test.for(["SIGTERM", "SIGINT"] as const)(
    "a run stopped by %s removes its lab on the way out",
    async (signal) => {
      const held = await holdLab();
      held.child.kill(signal);
      const [, exitSignal] = await once(held.child, "exit");
      expect(exitSignal).toBe(signal);
      expect(await existing(held.namespaces)).toEqual([]);
      expect(held.serverPids.filter(isPidAlive)).toEqual([]);
    },
  );

  test("a run that simply exits removes its lab", async () => {
    const held = await holdLab("exit");
    if (held.child.exitCode === null) await once(held.child, "exit");
    expect(await existing(held.namespaces)).toEqual([]);
    expect(held.serverPids.filter(isPidAlive)).toEqual([]);
  });
});
