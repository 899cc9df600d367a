import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CommandRunner } from "@autostun/plugins-api";
import { describe, expect, test } from "vitest";
import { KernelStateFile } from "./kernel-state-file.js";
import { NftablesTable } from "./nftables-table.js";
import { tunnelObjectNames } from "./object-names.js";

/** nft and sysctl as a flushed ruleset leaves them: the table is never listed, loads can be made to fail. */
function flushedKernel() {
  const state = { loadsFail: false, writes: [] as string[], loads: 0 };
  const runner: CommandRunner = {
    async run(file, args) {
      if (file === "sysctl" && args[0] === "-n") return { exitCode: 0, stdout: "0\n", stderr: "" };
      if (file === "sysctl") {
        state.writes.push(String(args[1]));
        return { exitCode: 0, stdout: "", stderr: "" };
      }
      if (file === "ip")
        return { exitCode: 0, stdout: JSON.stringify([{ dst: "default", dev: "eth7" }]), stderr: "" };
      if (file === "nft" && args.includes("chains"))
        return { exitCode: 0, stdout: '{"nftables":[]}', stderr: "" };
      if (file === "nft" && args.includes("list"))
        return { exitCode: 1, stdout: "", stderr: "Error: No such file or directory" };
      if (file === "nft") {
        state.loads++;
        return state.loadsFail
          ? { exitCode: 1, stdout: "", stderr: "Error: Could not process rule: Operation not supported" }
          : { exitCode: 0, stdout: "", stderr: "" };
      }
      return { exitCode: 1, stdout: "", stderr: `unexpected ${file}` };
    },
  };
  return { runner, state };
}

const entry = {
  names: tunnelObjectNames("qb"),
  port: 40_000,
  destination: { kind: "dnat" as const, ip: "127.0.0.1", port: 6881 },
  bans: [],
};

describe("the nftables table notices its rules are gone", () => {
  test("route_localnet goes back on the peers' interface at once, and nft's refusal to load again reaches the tunnels", async () => {
    const { runner, state } = flushedKernel();
    const stateFile = new KernelStateFile(join(mkdtempSync(join(tmpdir(), "autostun-watch-")), "k.json"));
    const table = new NftablesTable(runner, undefined, undefined, { stateFile, checkIntervalMs: 20 });
    await table.put("qb", entry);
    // Only the interface peers arrive on, recorded 0600 before it changed.
    expect(state.writes).toEqual(["net/ipv4/conf/eth7/route_localnet=1"]);
    expect(stateFile.read()).toEqual({ routeLocalnet: { eth7: "0" } });
    expect(statSync(stateFile.path).mode & 0o777).toBe(0o600);

    state.loadsFail = true;
    const lost = await new Promise<Error>((resolve) => table.onRulesLost(resolve));
    expect(lost.message).toMatch(/Operation not supported/);
    expect(state.writes).toEqual([
      "net/ipv4/conf/eth7/route_localnet=1",
      "net/ipv4/conf/eth7/route_localnet=0",
    ]);

    // Dropping the last tunnel removes the table and the record; the setting is as it was.
    state.loadsFail = false;
    await table.drop("qb");
    expect(stateFile.read()).toBeUndefined();
    expect(state.writes.at(-1)).toBe("net/ipv4/conf/eth7/route_localnet=0");
  });

  test("loaded again when nft takes the rules: route_localnet is back on only after the guard", async () => {
    const { runner, state } = flushedKernel();
    const table = new NftablesTable(runner, undefined, undefined, { checkIntervalMs: 20 });
    await table.put("qb", entry);
    const loads = state.loads;
    await expect.poll(() => state.loads, { timeout: 5_000 }).toBeGreaterThan(loads);
    await expect
      .poll(() => state.writes.slice(0, 3), { timeout: 5_000 })
      .toEqual([
        "net/ipv4/conf/eth7/route_localnet=1",
        "net/ipv4/conf/eth7/route_localnet=0",
        "net/ipv4/conf/eth7/route_localnet=1",
      ]);
    await table.drop("qb");
  });
});
