import { type CheckResult, localize } from "@autostun/plugins-api";
import { describe, expect, it } from "vitest";
import { fixtureServices, realServices } from "../testing/fixtures.js";
import { loadBuiltin, runLoadedCheck } from "../testing/run-check.js";

const ID = "antivirus.hints";

async function runFixture(folder: string, ports: number[] = [41641]): Promise<CheckResult> {
  const { services } = fixtureServices(`antivirus/${folder}`, ports);
  const loaded = await loadBuiltin("antivirus-hints", services);
  return runLoadedCheck(loaded, ID, services);
}

const steps = (result: CheckResult, locale: string) =>
  (result.guidance?.steps ?? []).map((step) => localize(step, locale)).join("\n");

describe("antivirus.hints on Windows (Security Center outputs)", () => {
  it("warns about Kaspersky, Huorong and an unknown firewall, saying what to allow in each", async () => {
    const result = await runFixture("windows-suite");
    expect(result.status).toBe("WARN");
    expect(localize(result.summary)).toContain("Kaspersky");
    expect(localize(result.summary)).toContain("Huorong");
    expect(localize(result.summary)).toContain("ZoneAlarm Firewall");
    // Defender is registered but off, and it only scans files: listed, not warned about.
    expect(localize(result.summary)).not.toContain("Defender");
    expect(result.facts?.products).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "Kaspersky", enabled: true, filtersNetwork: true }),
        expect.objectContaining({ name: "Microsoft Defender", enabled: false, filtersNetwork: false }),
      ]),
    );
    const en = steps(result, "en");
    expect(en).toContain("Kaspersky: Settings");
    expect(en).toContain("TCP local port 41641");
    expect(en).toContain("ZoneAlarm Firewall: in its firewall");
    expect(steps(result, "zh-CN")).toContain("火绒：防护中心");
  });

  it("passes when only Microsoft Defender is registered (a one-object JSON answer)", async () => {
    const result = await runFixture("windows-defender-only");
    expect(result.status).toBe("PASS");
    expect(result.facts?.products).toEqual([
      expect.objectContaining({ name: "Microsoft Defender", enabled: true }),
    ]);
  });

  it("skips, saying why, when Security Center cannot be queried", async () => {
    const result = await runFixture("windows-no-powershell");
    expect(result.status).toBe("SKIP");
    expect(result.facts?.problem).toContain("ENOENT");
  });
});

describe("antivirus.hints on Linux and macOS (running processes)", () => {
  it("warns about CrowdStrike Falcon and lists ClamAV as a scanner only", async () => {
    const result = await runFixture("linux-falcon-clamav");
    expect(result.status).toBe("WARN");
    expect(localize(result.summary)).toContain("CrowdStrike Falcon");
    expect(localize(result.summary)).not.toContain("ClamAV");
    expect(result.facts).toMatchObject({
      source: "/proc/*/comm",
      products: expect.arrayContaining([
        { name: "ClamAV", evidence: "process clamd", filtersNetwork: false },
        { name: "CrowdStrike Falcon", evidence: "process falcon-sensor", filtersNetwork: true },
      ]),
    });
    expect(steps(result, "zh-CN")).toContain("CrowdStrike Falcon 由管理员集中管理");
  });

  it("passes on a host running ClamAV alone, and on one with no security agents", async () => {
    expect((await runFixture("linux-clamav-only")).status).toBe("PASS");
    const clean = await runFixture("linux-clean");
    expect(clean.status).toBe("PASS");
    expect(clean.facts?.products).toEqual([]);
  });

  it("warns about Little Snitch from macOS's process list", async () => {
    const result = await runFixture("macos-littlesnitch");
    expect(result.status).toBe("WARN");
    expect(localize(result.summary)).toContain("Little Snitch");
  });
});

describe("antivirus.hints on this machine", () => {
  it("reads the real process list and never fails", async () => {
    const services = realServices();
    const loaded = await loadBuiltin("antivirus-hints", services);
    const result = await runLoadedCheck(loaded, ID, services);
    expect(["PASS", "WARN"]).toContain(result.status);
    expect(result.facts).toMatchObject({ source: "/proc/*/comm", products: expect.any(Array) });
  });
});
