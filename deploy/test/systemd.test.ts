import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const UNIT = new URL("../systemd/autostun.service", import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), "autostun-unit-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What `systemd-analyze verify` says about this unit; warnings about other units on the host are dropped. */
function verify(file: string): { status: number | null; complaints: string[] } {
  const result = spawnSync("systemd-analyze", ["verify", file], { encoding: "utf8" });
  if (result.error)
    throw new Error(`systemd-analyze could not run (${result.error.message}); install the systemd package`);
  const complaints = `${result.stdout}\n${result.stderr}`
    .split("\n")
    .filter((line) => line.includes("autostun.service"));
  return { status: result.status, complaints };
}

/** `Key=value` lines of the unit, repeated keys kept in order. */
function settings(text: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match) map.set(match[1]!, [...(map.get(match[1]!) ?? []), match[2]!]);
  }
  return map;
}

describe("systemd unit", () => {
  const text = readFileSync(UNIT, "utf8");

  it("passes systemd-analyze verify without a single warning about it", () => {
    expect(verify(UNIT)).toEqual({ status: 0, complaints: [] });
  });

  it("is checked for real: a misspelt key in a copy is reported", () => {
    const broken = join(scratch, "autostun.service");
    writeFileSync(broken, text.replace(/^Restart=/m, "Restrat="));
    expect(verify(broken).complaints.join("\n")).toMatch(/Unknown key.*Restrat/);
  });

  it("restarts on failure, keeps only the network capabilities, and keeps its data in the state directory", () => {
    const unit = settings(text);
    expect(unit.get("Restart")).toEqual(["on-failure"]);
    for (const key of ["AmbientCapabilities", "CapabilityBoundingSet"])
      expect(unit.get(key)?.join(" ").split(/\s+/).sort()).toEqual(["CAP_NET_ADMIN", "CAP_NET_BIND_SERVICE"]);
    const state = unit.get("StateDirectory")?.[0];
    expect(state).toBe("autostun");
    expect(unit.get("Environment")).toContain(`AUTOSTUN_DATA_DIR=/var/lib/${state}`);
    expect(unit.get("ExecStart")?.[0]).toContain("serve --config /etc/autostun/autostun.yaml");
    // nft talks netlink; without it nftables forwarding fails only when a tunnel first needs it.
    expect(unit.get("RestrictAddressFamilies")?.[0]?.split(/\s+/)).toContain("AF_NETLINK");
  });
});
