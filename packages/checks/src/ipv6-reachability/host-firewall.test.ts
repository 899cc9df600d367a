import type { NftRuleset } from "@autostun/netfilter";
import { localize, Services, type TunnelActivityEntry } from "@autostun/plugins-api";
import { describe, expect, it } from "vitest";
import { evaluateNftables } from "../firewall-inbound/linux/nftables.js";
import { readLinuxFirewall } from "../firewall-inbound/linux/read-state.js";
import { fixtureServices } from "../testing/fixtures.js";
import { loadBuiltin, memoryLogger, runLoadedCheck } from "../testing/run-check.js";
import { judgeHostFirewall6 } from "./host-firewall.js";

/** The IPv6 reading of a recorded ruleset (fixtures/firewall6, dumped from real nft and ip6tables). */
async function recorded(folder: string, port: number) {
  const { services } = fixtureServices(`firewall6/${folder}`);
  const state = await readLinuxFirewall(
    services.get(Services.CommandRunner) as never,
    services.get(Services.SystemFiles) as never,
    new AbortController().signal,
    { ipv6: true },
  );
  return judgeHostFirewall6(state, port);
}

describe("this host's firewall for inbound IPv6, on rulesets recorded from real netfilter", () => {
  it("nftables inet: an IPv4-only rule does not admit IPv6 TCP; the remedy names IPv6 in the inet table", async () => {
    const fw = await recorded("nft-inet", 51413);
    expect(fw.manager).toBe("nftables");
    expect(fw.tcp.accepted).toBe(false);
    expect(fw.tcp.decisions[0]).toMatchObject({
      layer: "nftables inet filter input",
      verdict: "drop",
      decidedBy: "chain input policy drop",
    });
    // `ip6 nexthdr udp udp dport 51413 accept` admits the UDP side.
    expect(fw.udp.accepted).toBe(true);
    expect(fw.allow).toEqual([
      [
        "nft",
        "insert",
        "rule",
        "inet",
        "filter",
        "input",
        "meta",
        "nfproto",
        "ipv6",
        "tcp",
        "dport",
        "51413",
        "accept",
        "comment",
        '"autostun"',
      ],
    ]);
    const both = await recorded("nft-inet", 6881);
    expect([both.tcp.accepted, both.udp.accepted]).toEqual([true, true]);
    expect(both.allow).toEqual([]);
    // Nothing admits 7000 at all: one rule per transport.
    expect((await recorded("nft-inet", 7000)).allow.map((a) => a[9])).toEqual(["tcp", "udp"]);
  });

  it("ip6tables-legacy: a range in a jumped chain admits TCP; a source-limited rule does not admit peers", async () => {
    const range = await recorded("ip6tables-legacy", 6881);
    expect([range.tcp.accepted, range.udp.accepted]).toEqual([true, true]);
    expect(range.tcp.decisions[0]?.decidedBy).toContain("--dport 6000:7000");
    const lanOnly = await recorded("ip6tables-legacy", 8080);
    expect(lanOnly.tcp.accepted).toBe(false);
    expect(lanOnly.tcp.decisions[0]).toMatchObject({
      layer: "ip6tables-legacy filter INPUT",
      decidedBy: "chain INPUT policy DROP",
    });
    expect(lanOnly.allow).toEqual([
      [
        "ip6tables-legacy",
        "-I",
        "INPUT",
        "-p",
        "tcp",
        "--dport",
        "8080",
        "-m",
        "comment",
        "--comment",
        "autostun",
        "-j",
        "ACCEPT",
      ],
      [
        "ip6tables-legacy",
        "-I",
        "INPUT",
        "-p",
        "udp",
        "--dport",
        "8080",
        "-m",
        "comment",
        "--comment",
        "autostun",
        "-j",
        "ACCEPT",
      ],
    ]);
  });

  it("ip6tables-nft: judged from its own dump once, not again as nftables' ip6 filter; a REJECT for UDP is named", async () => {
    const fw = await recorded("ip6tables-nft", 6881);
    expect(fw.tcp.accepted).toBe(true);
    expect(fw.udp.accepted).toBe(false);
    expect(fw.udp.decisions.map((d) => d.layer)).toEqual(["ip6tables-nft filter INPUT"]);
    expect(fw.udp.decisions[0]).toMatchObject({ verdict: "reject" });
    expect(fw.allow).toEqual([
      [
        "ip6tables-nft",
        "-I",
        "INPUT",
        "-p",
        "udp",
        "--dport",
        "6881",
        "-m",
        "comment",
        "--comment",
        "autostun",
        "-j",
        "ACCEPT",
      ],
    ]);
  });

  it("firewalld: its inet tables are judged for IPv6 too; one add-port per transport and a reload", async () => {
    const fw = await recorded("../firewall/firewalld", 6881);
    expect(fw.manager).toBe("firewalld");
    expect([fw.tcp.accepted, fw.udp.accepted]).toEqual([false, false]);
    expect(fw.tcp.decisions.find((d) => d.verdict !== "accept")?.layer).toBe(
      "nftables inet firewalld filter_INPUT",
    );
    expect(fw.allow).toEqual([
      ["firewall-cmd", "--permanent", "--zone=public", "--add-port=6881/tcp"],
      ["firewall-cmd", "--permanent", "--zone=public", "--add-port=6881/udp"],
      ["firewall-cmd", "--reload"],
    ]);
    // ssh is open in the zone for both families, so the IPv6 judgement admits it like the IPv4 one.
    expect((await recorded("../firewall/firewalld", 22)).tcp.accepted).toBe(true);
  });

  it("no firewall program installed: nothing filters here", async () => {
    const fw = await recorded("../firewall/no-tools", 6881);
    expect(fw.manager).toBe("none");
    expect([fw.tcp.accepted, fw.udp.accepted]).toEqual([true, true]);
  });
});

// `ip -j -6 addr` / route and `ss` of a host with one global address, listening dual-stack on 51413.
const HOST = {
  "ip -j -6 addr": JSON.stringify([
    {
      ifname: "eth0",
      addr_info: [{ family: "inet6", local: "2a0b:8877:77::2", prefixlen: 64, scope: "global" }],
    },
  ]),
  "ip -j -6 route show default": '[{"dst":"default","gateway":"2a0b:8877:77::1","dev":"eth0"}]',
  "ss -ltnH": "LISTEN 0 4096 *:51413 *:*",
  "ss -lunH": "UNCONN 0 0 *:51413 *:*",
};

/** The whole extension on a recorded ruleset, the port coming from a tunnel, commands recorded. */
async function extensionOn(folder: string, tunnels: TunnelActivityEntry[], privileged = true) {
  const fixture = fixtureServices(`firewall6/${folder}`);
  const ran: string[] = [];
  const replay = fixture.runner;
  const runner = {
    async run(file: string, args: readonly string[], options?: unknown) {
      const line = [file, ...args].join(" ");
      ran.push(line);
      const host = HOST[line as keyof typeof HOST];
      if (host !== undefined) return { exitCode: 0, stdout: host, stderr: "" };
      if (file === "nft" && args[0] === "insert") return { exitCode: 0, stdout: "", stderr: "" };
      return replay.run(file, [...args], options as never);
    },
  };
  const services = new Map(fixture.services);
  services.set(Services.CommandRunner, runner);
  services.set(Services.HostInfo, { platform: "linux", isPrivileged: privileged });
  services.set(Services.StunSettings, { udp: [], tcp: [] });
  services.set(Services.TunnelActivity, { tunnels: async () => tunnels });
  const loaded = await loadBuiltin("ipv6-reachability", services, {});
  return { loaded, services, ran };
}

const TUNNEL: TunnelActivityEntry = {
  id: "qb",
  state: "OPEN",
  ipv6: { address: "2a0b:8877:77::2", port: 51413 },
};

describe("ipv6.reachability with this host's firewall in the way", () => {
  it("fails naming the nftables layer for the tunnel's port, and its remedy inserts exactly that rule", async () => {
    const { loaded, services, ran } = await extensionOn("nft-inet", [TUNNEL]);
    const result = await runLoadedCheck(loaded, "ipv6.reachability", services);
    expect(result.status).toBe("FAIL");
    expect(localize(result.summary)).toContain("port 51413");
    expect(localize(result.summary)).toContain("TCP: nftables inet filter input: chain input policy drop");
    expect(localize(result.summary, "zh-CN")).toContain("本机自身的防火墙");
    expect(result.facts).toMatchObject({ port: 51413, portSource: "tunnel", tunnel: "qb" });
    const remedy = result.remedies?.find((r) => r.id === "allow-ipv6-port");
    expect(remedy?.commands).toEqual([
      'nft insert rule inet filter input meta nfproto ipv6 tcp dport 51413 accept comment "autostun"',
    ]);
    expect(result.guidance?.steps.map((s) => localize(s)).join("\n")).toContain(
      "nft insert rule inet filter input meta nfproto ipv6 tcp dport 51413 accept",
    );

    const check = loaded.checks.get("ipv6.reachability");
    const ctx = {
      signal: new AbortController().signal,
      logger: memoryLogger(),
      services: { get: <T>(token: symbol) => services.get(token) as T },
    };
    const outcome = await check?.applyRemedy?.("allow-ipv6-port", ctx as never);
    expect(outcome?.ok).toBe(true);
    expect(ran).toContain(
      'nft insert rule inet filter input meta nfproto ipv6 tcp dport 51413 accept comment "autostun"',
    );
  });

  it("without root, the remedy changes nothing and lists the commands to run", async () => {
    const { loaded, services, ran } = await extensionOn(
      "ip6tables-legacy",
      [{ ...TUNNEL, ipv6: { port: 8080 } }],
      false,
    );
    const check = loaded.checks.get("ipv6.reachability");
    const ctx = {
      signal: new AbortController().signal,
      logger: memoryLogger(),
      services: { get: <T>(token: symbol) => services.get(token) as T },
    };
    const outcome = await check?.applyRemedy?.("allow-ipv6-port", ctx as never);
    expect(outcome?.ok).toBe(false);
    expect(localize(outcome?.message ?? "")).toContain(
      "ip6tables-legacy -I INPUT -p tcp --dport 8080 -m comment --comment autostun -j ACCEPT",
    );
    expect(ran.some((line) => line.includes("-I INPUT"))).toBe(false);
  });

  it("says the port is not known when no tunnel reports it and none is configured", async () => {
    const { loaded, services, ran } = await extensionOn("nft-inet", []);
    const result = await runLoadedCheck(loaded, "ipv6.reachability", services);
    expect(result.facts).toMatchObject({ port: null, portSource: "unknown", hostFirewall: null });
    expect(result.guidance?.steps.map((step) => localize(step)).join("\n")).toMatch(/port is not known/);
    // Still read: it decides whether the router's measurement can be trusted.
    expect(ran).toContain("nft -j list ruleset");
    expect(result.facts?.probePort).toMatchObject({ port: 32768, accepted: false });
  });
});

describe("AutoSTUN's own rules are not the host's firewall", () => {
  it("ban sets and per-address limits for the downloader's port leave a new IPv6 or IPv4 peer in", async () => {
    const fw = await recorded("autostun-guard", 42_031);
    expect(fw.tcp.accepted).toBe(true);
    expect(fw.udp.accepted).toBe(true);
    expect(fw.allow).toEqual([]);
    const { services } = fixtureServices("firewall6/autostun-guard");
    const state = await readLinuxFirewall(
      services.get(Services.CommandRunner) as never,
      services.get(Services.SystemFiles) as never,
      new AbortController().signal,
    );
    const ipv4 = evaluateNftables(state.nft as NftRuleset, 42_031);
    expect(ipv4.decisions.every((d) => d.verdict === "accept")).toBe(true);
  });
});
