import { localize } from "@autostun/plugins-api";
import type { NatDiscoveryResult } from "@autostun/stun";
import { describe, expect, it } from "vitest";
import { classifyIpv4 } from "./ip-ranges.js";
import { natVerdict } from "./nat-verdict.js";
import { publicIpVerdict } from "./public-ip-verdict.js";

const EIM = "ENDPOINT_INDEPENDENT" as const;
function discovery(overrides: Partial<NatDiscoveryResult>): NatDiscoveryResult {
  return {
    natType: "NAT1",
    udp: { mapping: EIM, filtering: EIM, probes: { sent: 14, answered: 14 }, attempts: 1 },
    tcp: { mapping: EIM },
    publicIp: "61.170.4.9",
    localIp: "192.168.1.20",
    servers: [{ server: "stun.lab:3478", transport: "udp", ok: true, role: "behaviour" }],
    durationMs: 40,
    ...overrides,
  };
}

describe("nat.type verdict", () => {
  it("passes NAT1 only when TCP mappings are endpoint-independent too", () => {
    expect(natVerdict(discovery({})).status).toBe("PASS");
    const tcpBad = natVerdict(discovery({ tcp: { mapping: "ADDRESS_AND_PORT_DEPENDENT" } }));
    expect(tcpBad.status).toBe("FAIL");
    expect(localize(tcpBad.summary)).toContain("TCP mappings are address-and-port-dependent");
    expect(localize(tcpBad.guidance?.title ?? "")).toBe("Make TCP mappings keep their port");
  });

  it("fails NAT2, NAT3 and NAT4 with the guide's steps in both languages", () => {
    for (const natType of ["NAT2", "NAT3", "NAT4"] as const) {
      const result = natVerdict(discovery({ natType }));
      expect(result.status).toBe("FAIL");
      const steps = result.guidance?.steps ?? [];
      expect(steps.length).toBeGreaterThanOrEqual(4);
      expect(localize(steps.at(-1) ?? "", "zh-CN")).toContain("autostun doctor --check nat.type");
      expect(steps.every((step) => typeof step !== "string" && step["zh-CN"])).toBe(true);
    }
    expect(localize(natVerdict(discovery({ natType: "NAT3" })).guidance?.steps[1] ?? "")).toMatch(
      /optical modem/,
    );
  });

  it("warns on OPEN (use port forwarding) and explains UDP_BLOCKED, UNKNOWN and silence", () => {
    expect(natVerdict(discovery({ natType: "OPEN" })).status).toBe("WARN");
    expect(natVerdict(discovery({ natType: "UDP_BLOCKED" })).status).toBe("FAIL");
    const unknown = natVerdict(
      discovery({
        natType: "UNKNOWN",
        udp: { mapping: EIM, filtering: "UNKNOWN", probes: { sent: 8, answered: 8 }, attempts: 1 },
      }),
    );
    expect(localize(unknown.summary)).toContain("filtering is unknown");
    expect(localize(unknown.summary, "zh-CN")).toBe(
      "无法判断 NAT 类型：没有服务器支持 RFC 5780 行为测试，过滤行为未知",
    );
    const silent = natVerdict(
      discovery({
        natType: "UNKNOWN",
        servers: [{ server: "x:1", transport: "udp", ok: false, reason: "timeout" }],
      }),
    );
    expect(silent.status).toBe("FAIL");
    expect(silent.facts?.servers).toEqual([
      { server: "x:1", transport: "udp", ok: false, reason: "timeout" },
    ]);
  });
});

describe("nat.type under packet loss", () => {
  const lossy = (undecided: NonNullable<NatDiscoveryResult["udp"]["undecided"]>) =>
    natVerdict(
      discovery({
        natType: "UNKNOWN",
        udp: {
          mapping: EIM,
          filtering: "UNKNOWN",
          probes: { sent: 212, answered: 41 },
          attempts: 3,
          undecided,
        },
      }),
    );

  it("says UNKNOWN with the evidence, never a guess, and points at the lossy path", () => {
    const result = lossy("filtering-inconclusive");
    expect(result.status).toBe("WARN");
    expect(localize(result.summary)).toBe(
      "The NAT type could not be determined: the filtering tests lost too many answers (41 of 212 UDP datagrams answered) to tell filtering from loss",
    );
    expect(localize(result.summary, "zh-CN")).toContain("212 个 UDP 数据包只有 41 个得到应答");
    expect(localize(result.guidance?.title ?? "")).toBe("The path loses too many packets for a sure answer");
    expect(result.facts).toMatchObject({ udp: { probes: { sent: 212, answered: 41 }, attempts: 3 } });
  });

  it("explains too short a silence and disagreeing servers in both languages", () => {
    expect(localize(lossy("udp-silence-too-short").summary)).toContain("no UDP answer to 212 datagrams");
    const disagree = lossy("servers-disagree");
    expect(localize(disagree.summary, "zh-CN")).toContain("映射互相矛盾");
    expect(localize(disagree.guidance?.title ?? "")).toBe("Make the test possible");
    expect(localize(lossy("mapping-inconclusive").summary)).toContain("the mapping tests went unanswered");
  });
});

describe("network.public-ip verdict", () => {
  const lan = {
    interface: "eth0",
    address: "192.168.1.20",
    family: "IPv4" as const,
    netmask: "255.255.255.0",
    internal: false,
  };

  it("warns when the host holds a public IPv4", () => {
    const result = publicIpVerdict(
      [{ ...lan, address: "58.32.10.7" }],
      discovery({ publicIp: "58.32.10.7" }),
    );
    expect(result.status).toBe("WARN");
    expect(localize(result.summary)).toBe("This host has the public IPv4 address 58.32.10.7 on eth0");
    expect(localize(result.guidance?.steps[1] ?? "")).toContain("ufw allow 6881/tcp");
  });

  it("passes behind NAT and recognises carrier-grade NAT", () => {
    expect(localize(publicIpVerdict([lan], discovery({})).summary)).toBe(
      "Behind NAT: this host is 192.168.1.20 (private), the internet sees 61.170.4.9",
    );
    const cgnat = publicIpVerdict([{ ...lan, address: "100.72.1.2" }], discovery({ localIp: "100.72.1.2" }));
    expect(cgnat.status).toBe("PASS");
    expect(localize(cgnat.summary)).toContain("carrier-grade NAT address (100.72.1.2)");
  });

  it("classifies address ranges", () => {
    expect(
      [
        "10.1.2.3",
        "172.20.0.1",
        "192.168.0.1",
        "100.64.0.1",
        "100.127.255.255",
        "100.128.0.1",
        "8.8.8.8",
      ].map(classifyIpv4),
    ).toEqual(["private", "private", "private", "cgnat", "cgnat", "public", "public"]);
    expect(classifyIpv4("not.an.ip.addr")).toBeUndefined();
  });
});

describe("nat.type and network.public-ip agree, and never show a placeholder", () => {
  const everyLocale = (result: { summary: Parameters<typeof localize>[0] }) =>
    ["en", "zh-CN"].map((locale) => localize(result.summary, locale));

  it("a STUN server on this host (it saw 127.0.0.1): both say so, neither claims NAT or no NAT", () => {
    const loopback = discovery({ natType: "OPEN", publicIp: "127.0.0.1", localIp: "127.0.0.1" });
    const nat = natVerdict(loopback);
    const ip = publicIpVerdict([], loopback);
    for (const result of [nat, ip]) {
      expect(result.status).toBe("WARN");
      const [en, zh] = everyLocale(result);
      expect(en).toContain("on this host");
      expect(en).not.toMatch(/No NAT|Behind NAT|\?/);
      expect(zh).toContain("本机");
      expect(zh).not.toMatch(/\?|？/);
      expect(localize(result.guidance?.title ?? "")).toBe("Test against STUN servers on the internet");
    }
    // The raw measurement stays in the facts; only the reading of it changes.
    expect(nat.facts).toMatchObject({ natType: "OPEN", publicIp: "127.0.0.1", serverVantage: "this-host" });
    expect(ip.facts).toMatchObject({ publicIp: "127.0.0.1", serverVantage: "this-host" });
  });

  it("a STUN server inside the LAN (it saw a private address): both say it is not on the internet", () => {
    const lanServer = discovery({ natType: "OPEN", publicIp: "192.168.1.20", localIp: "192.168.1.20" });
    const lan = {
      interface: "eth0",
      address: "192.168.1.20",
      family: "IPv4" as const,
      netmask: "",
      internal: false,
    };
    for (const result of [natVerdict(lanServer), publicIpVerdict([lan], lanServer)]) {
      expect(result.status).toBe("WARN");
      expect(localize(result.summary)).toContain("192.168.1.20");
      expect(localize(result.summary)).toContain("not on the internet");
      expect(localize(result.summary)).not.toMatch(/No NAT|no NAT|public address/);
    }
  });

  it("says unknown values in words: no interface address, no reported public address", () => {
    const noInterface = publicIpVerdict([], discovery({}));
    const [en, zh] = everyLocale(noInterface);
    expect(en).toBe("Behind NAT: the internet sees 61.170.4.9; this host's own address could not be read");
    expect(zh).not.toMatch(/\?|？/);
    const open = natVerdict(discovery({ natType: "OPEN", publicIp: undefined }));
    for (const text of everyLocale(open)) expect(text).not.toMatch(/\?|？/);
  });

  it("names the kind of the local address in the reader's language", () => {
    const lan = {
      interface: "eth0",
      address: "192.168.1.20",
      family: "IPv4" as const,
      netmask: "",
      internal: false,
    };
    expect(localize(publicIpVerdict([lan], discovery({})).summary, "zh-CN")).toContain(
      "192.168.1.20（私有地址）",
    );
  });
});
