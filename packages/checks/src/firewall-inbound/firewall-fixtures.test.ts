import { type CheckResult, localize } from "@autostun/plugins-api";
import { describe, expect, it } from "vitest";
import { fixtureServices, realServices } from "../testing/fixtures.js";
import { loadBuiltin, memoryLogger, runLoadedCheck } from "../testing/run-check.js";

const ID = "firewall.inbound";

async function runFixture(folder: string, ports: number[], config: Record<string, unknown> = {}) {
  const fixture = fixtureServices(`firewall/${folder}`, ports);
  const loaded = await loadBuiltin("firewall-inbound", fixture.services, config);
  const result = await runLoadedCheck(loaded, ID, fixture.services);
  return { result, loaded, ...fixture };
}

const steps = (result: CheckResult, locale = "en") =>
  (result.guidance?.steps ?? []).map((step) => localize(step, locale)).join("\n");

describe("firewall.inbound on Linux rulesets recorded from real netfilter", () => {
  it("ufw active: passes for a port ufw allows, fails for another with `ufw allow P/tcp`", async () => {
    const allowed = await runFixture("ufw-active", [51413]);
    expect(allowed.result.status).toBe("PASS");
    expect(allowed.result.facts).toMatchObject({
      manager: "ufw",
      ufw: { active: true, autostunRules: [51413] },
    });
    // Our earlier rule is listed and can be taken out again.
    expect(allowed.result.facts?.appliedRules).toEqual(["ufw allow 51413/tcp"]);
    expect(allowed.result.remedies?.[0]).toMatchObject({
      id: "remove-rules",
      commands: ["ufw delete allow 51413/tcp"],
    });

    const blocked = await runFixture("ufw-active", [6881]);
    expect(blocked.result.status).toBe("FAIL");
    expect(localize(blocked.result.summary)).toContain("iptables-nft filter INPUT: chain INPUT policy DROP");
    expect(steps(blocked.result)).toContain("sudo ufw allow 6881/tcp comment autostun");
    expect(steps(blocked.result, "zh-CN")).toContain("本机防火墙由 ufw 管理");
    // iptables-nft's rules also show up in nftables' `ip filter`; they are judged once, not twice.
    const portFacts = (blocked.result.facts?.ports ?? []) as Array<{ decisions: Array<{ layer: string }> }>;
    const layers = portFacts[0]?.decisions;
    expect(layers?.map((d) => d.layer)).toEqual(["iptables-nft filter INPUT"]);
  });

  it("ufw inactive: passes", async () => {
    const { result } = await runFixture("ufw-inactive", [6881]);
    expect(result.status).toBe("PASS");
    expect(result.facts).toMatchObject({ ufw: { active: false } });
  });

  it("firewalld: follows zone chains; fails with `firewall-cmd --permanent --add-port` for the zone in use", async () => {
    const ssh = await runFixture("firewalld", [22]);
    expect(ssh.result.status).toBe("PASS");
    const { result } = await runFixture("firewalld", [6881]);
    expect(result.status).toBe("FAIL");
    expect(localize(result.summary)).toContain("reject");
    expect(steps(result)).toContain(
      "sudo firewall-cmd --permanent --zone=public --add-port=6881/tcp && sudo firewall-cmd --reload",
    );
    expect(result.remedies?.[0]?.commands).toEqual([
      "firewall-cmd --permanent --zone=public --add-port=6881/tcp",
      "firewall-cmd --reload",
    ]);
  });

  it("iptables-legacy: port ranges in a jumped chain admit; a LAN-only rule does not admit peers", async () => {
    const inRange = await runFixture("iptables-legacy", [6881]);
    expect(inRange.result.status).toBe("PASS");
    expect(localize(inRange.result.summary)).toContain("--dport 6000:7000");
    const lanOnly = await runFixture("iptables-legacy", [8080]);
    expect(lanOnly.result.status).toBe("FAIL");
    expect(steps(lanOnly.result)).toContain(
      "sudo iptables-legacy -I INPUT -p tcp --dport 8080 -m comment --comment autostun -j ACCEPT",
    );
  });

  it("native nftables: a named set admits, a UDP-only rule does not; the narrow rule names the chain", async () => {
    expect((await runFixture("nft-native", [51413])).result.status).toBe("PASS");
    const { result } = await runFixture("nft-native", [6881]);
    expect(result.status).toBe("FAIL");
    expect(result.facts).toMatchObject({ manager: "nftables" });
    expect(steps(result)).toContain(
      'nft insert rule inet filter input tcp dport 6881 accept comment "autostun"',
    );
  });

  it("Synology DSM: fails with the Control Panel steps and offers no command remedy", async () => {
    const { result } = await runFixture("dsm", [6881]);
    expect(result.status).toBe("FAIL");
    expect(result.facts).toMatchObject({ platform: "dsm", manager: "dsm", dsm: { version: "7.2" } });
    expect(steps(result)).toContain("Control Panel → Security → Firewall");
    expect(steps(result, "zh-CN")).toContain("控制面板 → 安全性 → 防火墙");
    expect(result.remedies ?? []).toEqual([]);
    // DSM's management port is admitted by its own rules.
    expect((await runFixture("dsm", [5000])).result.status).toBe("PASS");
  });

  it("without root: warns that the rules could not be read, naming why, and refuses the remedy", async () => {
    const { result, loaded, services } = await runFixture("unprivileged", [6881]);
    expect(result.status).toBe("WARN");
    expect(localize(result.summary)).toContain("Operation not permitted");
    const outcome = await loaded.checks.get(ID)?.applyRemedy?.("allow-port:6881", {
      signal: new AbortController().signal,
      logger: memoryLogger(),
      services: { get: <T>(token: symbol) => services.get(token) as T },
    });
    expect(outcome?.ok).toBe(true); // nothing known to block: nothing is changed
  });

  it("no firewall tool installed: says nothing here filters inbound and asks for nothing", async () => {
    // Every program answers "not installed" (no commands.json), and AutoSTUN runs without root.
    const { result } = await runFixture("no-tools", [6881]);
    expect(result.status).toBe("PASS");
    expect(localize(result.summary)).toMatch(/No firewall tool .* is installed/);
    expect(localize(result.summary)).toContain("nothing on this host filters inbound connections");
    expect(localize(result.summary, "zh-CN")).toContain("没有安装任何防火墙工具");
    for (const locale of ["en", "zh-CN"]) {
      expect(localize(result.summary, locale)).not.toMatch(/administrator|管理员/);
      expect(steps(result, locale)).toBe("");
    }
    expect(result.facts).toMatchObject({ manager: "none", ports: [{ port: 6881, accepted: true }] });
  });

  it("evaluates the configured port when no tunnel exists, and rejects a bad one by name", async () => {
    const { result } = await runFixture("nft-native", [], { port: 22 });
    expect(result.status).toBe("PASS");
    expect(result.facts).toMatchObject({ portSource: "config", ports: [{ port: 22 }] });
    const fallback = await runFixture("nft-native", []);
    expect(fallback.result.facts).toMatchObject({ portSource: "default", ports: [{ port: 6881 }] });
    await expect(runFixture("nft-native", [], { port: "6881" })).rejects.toThrow(
      /plugins.config\["@autostun\/check-firewall-inbound"\].port must be an integer/,
    );
  });
});

describe("firewall.inbound on Windows and macOS outputs", () => {
  it("Windows: a port rule admits; no rule means the Public profile's default block; block beats allow", async () => {
    expect((await runFixture("windows", [51505])).result.status).toBe("PASS");
    const none = await runFixture("windows", [6881]);
    expect(none.result.status).toBe("FAIL");
    expect(localize(none.result.summary)).toContain("Windows Firewall profile Public");
    expect(steps(none.result)).toContain(
      `netsh advfirewall firewall add rule "name=AutoSTUN 6881" dir=in action=allow "program=${process.execPath}" protocol=TCP localport=6881 enable=yes`.replace(
        `"program=${process.execPath}"`,
        /\s/.test(process.execPath) ? `"program=${process.execPath}"` : `program=${process.execPath}`,
      ),
    );
    const blocked = await runFixture("windows", [8999]);
    expect(blocked.result.status).toBe("FAIL");
    expect(localize(blocked.result.summary)).toContain('block rule "Block 8999"');
  });

  it("macOS: block-all fails, firewall off passes, a permitted program passes", async () => {
    const blockAll = await runFixture("macos-blockall", [6881]);
    expect(blockAll.result.status).toBe("FAIL");
    expect(steps(blockAll.result)).toContain("Block all incoming connections");
    expect(steps(blockAll.result)).toContain("socketfilterfw --add");
    expect((await runFixture("macos-off", [6881])).result.status).toBe("PASS");
    expect((await runFixture("macos-permitted", [6881])).result.status).toBe("PASS");
  });
});

describe("firewall.inbound on this machine", () => {
  it("reads the real rules and gives a verdict with the facts it was made from", async () => {
    const services = realServices({ ports: [6881] });
    const loaded = await loadBuiltin("firewall-inbound", services);
    const result = await runLoadedCheck(loaded, ID, services);
    expect(["PASS", "WARN", "FAIL"]).toContain(result.status);
    expect(result.facts).toMatchObject({ platform: "linux", ports: [{ port: 6881 }] });
    expect(result.facts?.sources).toEqual(
      expect.arrayContaining([expect.objectContaining({ source: "nft -j list ruleset" })]),
    );
  });
});
