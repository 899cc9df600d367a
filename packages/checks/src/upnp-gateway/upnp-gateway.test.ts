import {
  type LocalizedText,
  localize,
  Services,
  type TunnelActivityEntry,
  type UpnpGatewayProbe,
} from "@autostun/plugins-api";
import { describe, expect, it } from "vitest";
import { loadBuiltin, runLoadedCheck } from "../testing/run-check.js";
import { decideUpnpGateway } from "./verdict.js";

/** What miniupnpd in the two-level lab answers; the lab test (apps/server) asks the real one. */
const found: UpnpGatewayProbe = {
  enabled: "auto",
  found: true,
  protocol: "upnp",
  location: "http://192.168.88.1:5000/rootDesc.xml",
  name: "Debian router",
  internalClient: "192.168.88.2",
  externalIp: "88.77.67.2",
  testMapping: { port: 51234, mapped: true, removed: true },
  tried: [],
};
const text = (value: LocalizedText | undefined, locale = "en") => localize(value ?? "", locale);
const steps = (result: ReturnType<typeof decideUpnpGateway>, locale = "en") =>
  (result.guidance?.steps ?? []).map((s) => text(s, locale)).join("\n");

describe("upnp.gateway verdict", () => {
  it("passes when the router maps a test port and reports a public WAN address, naming both", () => {
    const result = decideUpnpGateway(found);
    expect(result.status).toBe("PASS");
    expect(text(result.summary)).toContain("88.77.67.2");
    expect(text(result.summary)).toContain("http://192.168.88.1:5000/rootDesc.xml");
    expect(result.facts).toMatchObject({ externalIpKind: "public", secondNat: false, protocol: "upnp" });
  });

  it("passes from a tunnel's live mapping, naming the tunnel, port and lease, with no test mapping", () => {
    const { testMapping: _none, ...searched } = found;
    const live: UpnpGatewayProbe = {
      ...searched,
      liveMapping: {
        tunnelId: "qb",
        port: 40777,
        externalPort: 40777,
        leaseEndsAt: "2026-01-02T04:00:00.000Z",
      },
    };
    const result = decideUpnpGateway(live);
    expect(result.status).toBe("PASS");
    expect(result.facts).toMatchObject({
      testMapping: null,
      liveMapping: { tunnelId: "qb", externalPort: 40777 },
      externalIp: "88.77.67.2",
      internalClient: "192.168.88.2",
    });
    expect(text(result.summary)).toMatch(
      /holds tunnel qb's mapping of port 40777, leased until 2026-01-02T04:00/,
    );
    expect(text(result.summary)).toMatch(/no test mapping was made/);
    expect(text(result.summary, "zh-CN")).toContain("无需再做测试映射");
    // A live mapping on a router whose WAN side is private still shows the second NAT.
    expect(decideUpnpGateway({ ...live, externalIp: "10.0.0.2" }).status).toBe("WARN");
  });

  it("says a live mapping's lease has no end when the router granted one without, not a made-up date", () => {
    const { testMapping: _none, ...searched } = found;
    const result = decideUpnpGateway({
      ...searched,
      liveMapping: { tunnelId: "qb", port: 40777, externalPort: 40777 },
    });
    expect(result.status).toBe("PASS");
    expect(text(result.summary)).toMatch(/mapping of port 40777, with a lease that has no end, so no test/);
    expect(text(result.summary, "zh-CN")).toContain("租期没有期限");
    expect(text(result.summary)).not.toMatch(/leased until|-,/);
  });

  it("fails with the router's own reason and the DMZ way out when it refuses the mapping", () => {
    const result = decideUpnpGateway({
      ...found,
      testMapping: { port: 51234, mapped: false, code: 606, error: "UPnP error 606 Action not authorized" },
    });
    expect(result.status).toBe("FAIL");
    expect(text(result.summary)).toContain("606 Action not authorized");
    expect(steps(result)).toMatch(/DMZ host/);
    expect(steps(result, "zh-CN")).toMatch(/DMZ 主机/);
  });

  it.for([
    ["10.0.0.2", "private"],
    ["100.72.1.9", "cgnat"],
  ] as const)(
    "warns that %s on the router's WAN side means a second NAT, and points to bridge mode",
    ([ip, kind]) => {
      const result = decideUpnpGateway({ ...found, externalIp: ip });
      expect(result.status).toBe("WARN");
      expect(result.facts).toMatchObject({ externalIpKind: kind, secondNat: true });
      expect(steps(result)).toMatch(/bridge mode/);
      expect(steps(result, "zh-CN")).toMatch(/桥接模式/);
    },
  );

  it("warns, not fails, when no router answered: this host may sit straight on the modem", () => {
    const result = decideUpnpGateway({
      enabled: "auto",
      found: false,
      tried: ["UPnP: no Internet Gateway Device answered SSDP discovery"],
    });
    expect(result.status).toBe("WARN");
    expect(steps(result)).toMatch(/switch UPnP .* on/);
    expect(steps(result)).toContain("no Internet Gateway Device answered");
  });

  it("says the search could not be made, not that no router answered, when this host refused to send it", () => {
    const searchError =
      "the SSDP search for a router could not be made from 10.0.0.2:40000 (eth0): send EPERM 239.255.255.250:1900; no router was asked";
    const result = decideUpnpGateway({
      enabled: "auto",
      found: false,
      tried: [`UPnP: ${searchError}`, "PCP: no PCP answer from 10.0.0.1:5351"],
      searchError,
    });
    expect(result.status).toBe("WARN");
    expect(result.facts).toMatchObject({ found: false, searchError });
    expect(text(result.summary)).toMatch(/could not send its search .* unknown: .*EPERM.*\(eth0\)/);
    expect(text(result.summary)).not.toMatch(/answered/);
    expect(text(result.summary, "zh-CN")).toMatch(/无法.*发出.*EPERM/);
    expect(steps(result)).toMatch(/firewall on this host .* 239\.255\.255\.250:1900/);
    expect(steps(result)).toContain("upnp.descriptionUrl");
    expect(steps(result, "zh-CN")).toMatch(/防火墙/);
    // Without a search error the same silence reads as "no router answered".
    const { searchError: _e, ...silent } = { searchError, enabled: "auto" as const, found: false, tried: [] };
    expect(text(decideUpnpGateway(silent).summary)).toMatch(/No router .* answered/);
  });

  it("skips and says how to turn it on when upnp is off in the config", () => {
    const result = decideUpnpGateway({ enabled: false, found: false, tried: [] });
    expect(result.status).toBe("SKIP");
    expect(steps(result)).toContain('upnp: { enabled: "auto" }');
  });

  it("does not claim there is no second NAT when the router would not say its WAN address", () => {
    const { externalIp: _known, ...withoutIp } = found;
    const result = decideUpnpGateway({
      ...withoutIp,
      externalIpError: "the gateway at http://192.168.1.1:5000/rootDesc.xml reports no external address",
    });
    expect(result.status).toBe("PASS");
    expect(result.facts).toMatchObject({ externalIp: null, externalIpKind: "unknown", secondNat: null });
  });

  it("reports the kind of the WAN address in the facts, and a second NAT only for the kinds that mean one", () => {
    const judged = ["169.254.7.1", "100.128.0.1", "192.0.2.1", "bogus"].map((externalIp) => {
      const { facts } = decideUpnpGateway({ ...found, externalIp });
      return facts;
    });
    expect(judged).toMatchObject([
      { externalIpKind: "link-local", secondNat: true },
      { externalIpKind: "public", secondNat: false },
      { externalIpKind: "reserved", secondNat: false },
      { externalIpKind: "unknown", secondNat: null },
    ]);
  });
});

describe("upnp.gateway with the tunnels' IPv6 pinholes", () => {
  const tunnel = (id: string, pinhole?: NonNullable<TunnelActivityEntry["ipv6"]>["pinhole"]) =>
    ({
      id,
      state: "OPEN",
      ipv6: { address: "2a0b:8877:77::2", port: 51413, ...(pinhole ? { pinhole } : {}) },
    }) as TunnelActivityEntry;

  it("lists each pinhole in the facts and one line of the summary, leaving the verdict as it was", () => {
    const result = decideUpnpGateway(found, [
      tunnel("qb", {
        state: "OPEN",
        protocol: "upnp",
        gateway: "http://192.168.88.1:5000/rootDesc.xml",
        tcp: true,
        udp: true,
        leaseEndsAt: "2026-12-08T02:00:00.000Z",
      }),
      tunnel("tr", {
        state: "FAILED",
        tcp: false,
        udp: false,
        error: "UPnP error 606 Action not authorized",
      }),
      tunnel("plain"),
    ]);
    expect(result.status).toBe("PASS");
    expect(text(result.summary)).toContain(
      "IPv6 pinholes: qb [2a0b:8877:77::2]:51413 OPEN TCP+UDP → 2026-12-08T02:00:00.000Z; tr [2a0b:8877:77::2]:51413 FAILED.",
    );
    expect(text(result.summary, "zh-CN")).toContain("IPv6 针孔：qb");
    expect(result.facts?.ipv6Pinholes).toEqual([
      expect.objectContaining({ tunnelId: "qb", state: "OPEN", tcp: true, udp: true }),
      expect.objectContaining({
        tunnelId: "tr",
        state: "FAILED",
        error: "UPnP error 606 Action not authorized",
      }),
    ]);
  });

  it("says nothing of IPv6 when no tunnel asked for a pinhole", () => {
    const result = decideUpnpGateway(found, [tunnel("plain")]);
    expect(text(result.summary)).not.toContain("IPv6");
    expect(result.facts).not.toHaveProperty("ipv6Pinholes");
  });
});

describe("upnp.gateway as an extension", () => {
  it("asks Services.UpnpGateway once and judges its answer", async () => {
    let asked = 0;
    const services = new Map<symbol, unknown>([
      [
        Services.UpnpGateway,
        {
          probe: async () => {
            asked++;
            return found;
          },
        },
      ],
      [Services.TunnelActivity, { tunnels: async () => [] }],
    ]);
    const loaded = await loadBuiltin("upnp-gateway", services);
    expect(loaded.manifest.contributes?.checks?.[0]?.id).toBe("upnp.gateway");
    const result = await runLoadedCheck(loaded, "upnp.gateway", services);
    expect(result.status).toBe("PASS");
    expect(asked).toBe(1);
  });
});
