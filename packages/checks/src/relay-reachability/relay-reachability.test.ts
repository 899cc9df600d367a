import { readFileSync } from "node:fs";
import {
  type CheckOutcome,
  type CheckResult,
  type LocalizedText,
  localize,
  Services,
  type TunnelActivityEntry,
  type TunnelUdpActivity,
} from "@autostun/plugins-api";
import { describe, expect, it } from "vitest";
import { loadBuiltin, runLoadedCheck } from "../testing/run-check.js";
import { decideReachability, UDP_GUIDE_LINK } from "./verdict.js";

const open: TunnelActivityEntry = { id: "qb", state: "OPEN", publicAddress: "203.0.113.5:40123" };
const reached: TunnelActivityEntry = {
  ...open,
  firstInboundAt: "2026-11-20T10:00:00.000Z",
  firstInboundFrom: "198.51.100.7:51413",
  firstInboundVia: "203.0.113.5:40123",
  lastInboundAt: "2026-11-20T10:05:00.000Z",
};

function outcome(
  id: string,
  status: CheckOutcome["status"],
  facts: Record<string, unknown> = {},
): CheckOutcome {
  return { id, status, summary: "", facts };
}
const firewallOk = outcome("firewall.inbound", "PASS");
const natOk = outcome("nat.type", "PASS", { natType: "NAT1" });
const text = (value: LocalizedText | undefined, locale = "en") => localize(value ?? "", locale);

describe("relay.reachability verdict", () => {
  it("passes once a peer came in, naming when, from where, the tunnel and the public address", () => {
    const result = decideReachability({ tunnels: [open, reached], firewall: firewallOk, nat: natOk });
    expect(result.status).toBe("PASS");
    expect(result.facts).toMatchObject({
      tunnelId: "qb",
      publicAddress: "203.0.113.5:40123",
      peer: "198.51.100.7:51413",
      firstInboundAt: "2026-11-20T10:00:00.000Z",
      lastInboundAt: "2026-11-20T10:05:00.000Z",
    });
    expect(text(result.summary)).toContain("198.51.100.7:51413");
    expect(text(result.summary, "zh-CN")).toContain("203.0.113.5:40123");
  });

  it("passes on the kernel's count alone for nftables forwarding, without inventing a peer", () => {
    const { firstInboundFrom: _, ...counted } = reached;
    const result = decideReachability({ tunnels: [counted], firewall: firewallOk, nat: natOk });
    expect(result.status).toBe("PASS");
    expect(result.facts).toMatchObject({ peer: null, publicAddress: "203.0.113.5:40123" });
    expect(text(result.summary)).toMatch(/does not record who/);
  });

  it("passes even when the firewall check complains, since a peer proves the way in", () => {
    const result = decideReachability({
      tunnels: [reached],
      firewall: outcome("firewall.inbound", "FAIL"),
      nat: natOk,
    });
    expect(result.status).toBe("PASS");
  });

  it("warns with no tunnel and says how to add one", () => {
    const result = decideReachability({ tunnels: [], firewall: firewallOk, nat: natOk });
    expect(result.status).toBe("WARN");
    expect(text(result.summary)).toMatch(/no tunnel is configured/i);
    expect(result.guidance?.steps.map((s) => text(s)).join(" ")).toContain("tunnels:");
  });

  it("warns when no tunnel is open, listing each tunnel's state", () => {
    const result = decideReachability({
      tunnels: [{ id: "qb", state: "FAILED" }],
      firewall: firewallOk,
      nat: natOk,
    });
    expect(result.status).toBe("WARN");
    expect(text(result.summary)).toContain("qb FAILED");
    expect(text(result.guidance?.title)).toMatch(/open/i);
  });

  it("blames the firewall when its check did not pass", () => {
    const result = decideReachability({
      tunnels: [open],
      firewall: outcome("firewall.inbound", "FAIL"),
      nat: natOk,
    });
    expect(result.status).toBe("WARN");
    expect(result.facts).toMatchObject({ suspect: "firewall", firewall: "FAIL" });
    expect(text(result.guidance?.title)).toContain("40123");
  });

  it("blames the gateway when the firewall is fine but the NAT is not full-cone", () => {
    const result = decideReachability({
      tunnels: [open],
      firewall: firewallOk,
      nat: outcome("nat.type", "FAIL", { natType: "NAT3" }),
    });
    expect(result.facts).toMatchObject({ suspect: "gateway", natType: "NAT3" });
    expect(text(result.summary)).toContain("NAT3");
    expect(text(result.summary, "zh-CN")).toContain("NAT3");
  });

  it("points at the downloader when firewall and NAT both pass", () => {
    const result = decideReachability({ tunnels: [open], firewall: firewallOk, nat: natOk });
    expect(result.facts).toMatchObject({ suspect: "downloader" });
    const steps = result.guidance?.steps.map((s) => text(s)).join(" ") ?? "";
    expect(steps).toContain("40123");
    expect(steps).toContain("203.0.113.5:40123");
  });
});

describe("relay.reachability as an extension", () => {
  it("declares its dependencies and reads the relay through Services.TunnelActivity", async () => {
    const services = new Map<symbol, unknown>([
      [Services.TunnelActivity, { tunnels: async () => [reached] }],
    ]);
    const loaded = await loadBuiltin("relay-reachability", services);
    expect(loaded.manifest.contributes?.checks?.[0]?.dependsOn).toEqual(["firewall.inbound", "nat.type"]);
    const result = await runLoadedCheck(loaded, "relay.reachability", services, {
      dependencies: { "firewall.inbound": firewallOk, "nat.type": natOk },
    });
    expect(result.status).toBe("PASS");

    const waiting = new Map<symbol, unknown>([[Services.TunnelActivity, { tunnels: async () => [open] }]]);
    const warned = await runLoadedCheck(loaded, "relay.reachability", waiting, {
      dependencies: { "firewall.inbound": outcome("firewall.inbound", "WARN"), "nat.type": natOk },
    });
    expect(warned.facts).toMatchObject({ suspect: "firewall" });
  });
});

describe("relay.reachability verdict for the UDP side", () => {
  const FIRST_TCP = "2026-11-20T10:00:00.000Z";
  const minutesAfter = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000);
  const udpOpen: TunnelUdpActivity = {
    state: "OPEN",
    publicAddress: "203.0.113.5:40123",
    localPort: 40123,
    samePort: true,
    reason: "UDP open on the TCP public port",
    samePortSince: "2026-11-20T09:59:00.000Z",
  };
  const withUdp = (udp: Partial<TunnelUdpActivity>, base: TunnelActivityEntry = reached) => ({
    ...base,
    udp: { ...udpOpen, ...udp },
  });
  const udpPeer: Partial<TunnelUdpActivity> = {
    firstInboundAt: "2026-11-20T10:02:00.000Z",
    firstInboundFrom: "198.51.100.9:6881",
    firstInboundVia: "203.0.113.5:40123",
    lastInboundAt: "2026-11-20T10:04:00.000Z",
  };
  const natUdp = outcome("nat.type", "PASS", {
    natType: "NAT1",
    udp: { mapping: "ENDPOINT_INDEPENDENT", filtering: "ADDRESS_DEPENDENT" },
  });
  const steps = (result: CheckResult, locale = "en") =>
    result.guidance?.steps.map((s) => text(s, locale)).join("\n") ?? "";

  it("says nothing of UDP for a tunnel with udp: false, keeping the TCP facts as they were", () => {
    const result = decideReachability({
      tunnels: [reached],
      firewall: firewallOk,
      nat: natOk,
      now: minutesAfter(FIRST_TCP, 60),
    });
    expect(result.status).toBe("PASS");
    expect(Object.keys(result.facts ?? {})).toEqual([
      "tunnelId",
      "publicAddress",
      "peer",
      "firstInboundAt",
      "lastInboundAt",
      "tunnels",
    ]);
    expect(text(result.summary)).not.toMatch(/UDP/);
  });

  it("passes for both protocols, naming the UDP peer, its public address and when it came", () => {
    const result = decideReachability({
      tunnels: [withUdp(udpPeer)],
      firewall: firewallOk,
      nat: natOk,
      now: minutesAfter(FIRST_TCP, 60),
    });
    expect(result.status).toBe("PASS");
    expect(result.facts).toMatchObject({
      peer: "198.51.100.7:51413",
      udp: {
        outcome: "proven",
        tunnelId: "qb",
        peer: "198.51.100.9:6881",
        via: "203.0.113.5:40123",
        firstInboundAt: "2026-11-20T10:02:00.000Z",
        lastInboundAt: "2026-11-20T10:04:00.000Z",
      },
    });
    const en = text(result.summary);
    expect(en).toContain("198.51.100.7:51413");
    expect(en).toMatch(/UDP.*198\.51\.100\.9:6881.*2026-11-20T10:02:00\.000Z/);
    expect(text(result.summary, "zh-CN")).toMatch(/UDP.*198\.51\.100\.9:6881/);
  });

  it("passes on TCP while the quiet UDP side is young, saying when it would start to warn", () => {
    const result = decideReachability({
      tunnels: [withUdp({})],
      firewall: firewallOk,
      nat: natOk,
      now: minutesAfter(FIRST_TCP, 9),
    });
    expect(result.status).toBe("PASS");
    expect(result.facts).toMatchObject({
      udp: {
        outcome: "waiting",
        quietSince: FIRST_TCP,
        warnAt: "2026-11-20T10:10:00.000Z",
        quietMinutes: 9,
        warnAfterMinutes: 10,
      },
    });
    expect(text(result.summary)).toContain("2026-11-20T10:10:00.000Z");
    expect(result.guidance).toBeUndefined();
  });

  it("warns when only TCP peers came for ten minutes with UDP open on the same port, with uTP steps", () => {
    const result = decideReachability({
      tunnels: [withUdp({})],
      firewall: firewallOk,
      nat: natUdp,
      now: minutesAfter(FIRST_TCP, 10),
    });
    expect(result.status).toBe("WARN");
    expect(result.facts).toMatchObject({
      tunnelId: "qb",
      peer: "198.51.100.7:51413",
      udp: { outcome: "quiet", samePort: true, peer: null, quietSince: FIRST_TCP },
    });
    expect(text(result.summary)).toMatch(/Only TCP peers reach tunnel qb.*198\.51\.100\.7:51413.*10 minutes/);
    expect(text(result.summary, "zh-CN")).toContain("10 分钟");
    const en = steps(result);
    expect(en).toContain("TCP and μTP");
    expect(en).toContain("utp-enabled");
    expect(en).toContain("samePort");
    expect(en).toContain("ADDRESS_DEPENDENT");
    expect(en).toContain("local port 40123");
    expect(steps(result, "zh-CN")).toContain("TCP 和 μTP");
    expect(result.guidance?.docs).toBe(UDP_GUIDE_LINK);
  });

  it("points past a gateway that filters UDP independently of the endpoint, and asks for a measurement without one", () => {
    const quietFor = (nat: CheckOutcome | undefined) =>
      decideReachability({
        tunnels: [withUdp({})],
        firewall: firewallOk,
        nat,
        now: minutesAfter(FIRST_TCP, 45),
      });
    const open = quietFor(
      outcome("nat.type", "PASS", { natType: "NAT1", udp: { filtering: "ENDPOINT_INDEPENDENT" } }),
    );
    expect(text(open.summary)).toContain("45 minutes");
    expect(steps(open)).toMatch(/gateway itself lets uTP in; if another router/);
    const unmeasured = quietFor(undefined);
    expect(unmeasured.status).toBe("WARN");
    expect(steps(unmeasured)).toContain("autostun doctor --check nat.type");
    expect(steps(unmeasured, "zh-CN")).toContain("autostun doctor --check nat.type");
  });

  it("times the quiet from when UDP reached the same port, when that came after the first TCP peer", () => {
    const late = { samePortSince: "2026-11-20T10:08:00.000Z" };
    const young = decideReachability({
      tunnels: [withUdp(late)],
      firewall: firewallOk,
      nat: natOk,
      now: minutesAfter(FIRST_TCP, 15),
    });
    expect(young.status).toBe("PASS");
    expect(young.facts).toMatchObject({ udp: { outcome: "waiting", warnAt: "2026-11-20T10:18:00.000Z" } });
    const old = decideReachability({
      tunnels: [withUdp(late)],
      firewall: firewallOk,
      nat: natOk,
      now: minutesAfter(FIRST_TCP, 18),
    });
    expect(old.status).toBe("WARN");
  });

  it("says UDP cannot be proven, with the reason, instead of warning about peers when it is not on the same port", () => {
    const elsewhere = decideReachability({
      tunnels: [
        withUdp({
          samePort: false,
          publicAddress: "203.0.113.5:40999",
          reason: "no equal port after 64 sockets",
          samePortSince: undefined,
        }),
      ],
      firewall: firewallOk,
      nat: natOk,
      now: minutesAfter(FIRST_TCP, 60),
    });
    expect(elsewhere.status).toBe("PASS");
    expect(text(elsewhere.summary)).toMatch(
      /UDP cannot be proven.*203\.0\.113\.5:40999.*no equal port after 64 sockets/,
    );
    expect(text(elsewhere.summary, "zh-CN")).toContain("no equal port after 64 sockets");
    expect(elsewhere.facts).toMatchObject({ udp: { outcome: "unprovable", samePort: false } });
    expect(elsewhere.guidance).toBeUndefined();

    const failed = decideReachability({
      tunnels: [withUdp({ state: "FAILED", samePort: false, reason: "no UDP STUN server answered" })],
      firewall: firewallOk,
      nat: natOk,
      now: minutesAfter(FIRST_TCP, 60),
    });
    expect(failed.status).toBe("PASS");
    expect(text(failed.summary)).toMatch(/UDP side is FAILED \(no UDP STUN server answered\)/);
  });

  it("keeps warning about TCP while only UDP got in, and tells that UDP did", () => {
    const result = decideReachability({
      tunnels: [withUdp(udpPeer, open)],
      firewall: outcome("firewall.inbound", "FAIL"),
      nat: natOk,
      now: minutesAfter(FIRST_TCP, 60),
    });
    expect(result.status).toBe("WARN");
    expect(result.facts).toMatchObject({ suspect: "firewall", udp: { outcome: "proven" } });
    expect(text(result.summary)).toMatch(/no peer has come in yet.*UDP.*198\.51\.100\.9:6881/);
  });

  it("takes the kernel's UDP count as proof without naming a peer", () => {
    const { firstInboundFrom: _, ...counted } = udpPeer;
    const result = decideReachability({
      tunnels: [withUdp(counted)],
      firewall: firewallOk,
      nat: natOk,
      now: minutesAfter(FIRST_TCP, 60),
    });
    expect(result.status).toBe("PASS");
    expect(result.facts).toMatchObject({ udp: { outcome: "proven", peer: null } });
    expect(text(result.summary)).toMatch(/without recording who/);
  });

  it("warns about the quiet tunnel even when another tunnel's UDP side was reached", () => {
    const other = withUdp(udpPeer, { ...reached, id: "tr", publicAddress: "203.0.113.5:40200" });
    const result = decideReachability({
      tunnels: [other, withUdp({})],
      firewall: firewallOk,
      nat: natOk,
      now: minutesAfter(FIRST_TCP, 30),
    });
    expect(result.status).toBe("WARN");
    expect(result.facts).toMatchObject({ udp: { outcome: "quiet", tunnelId: "qb" } });
  });

  it("links its UDP guidance to a section of the user guide that exists", () => {
    const [path, anchor] = UDP_GUIDE_LINK.split("#");
    const guide = readFileSync(new URL(`../../../../${path}`, import.meta.url), "utf8");
    const headings = guide
      .split("\n")
      .filter((line) => line.startsWith("#"))
      .map((line) =>
        line
          .replace(/^#+\s+/, "")
          .trim()
          .toLowerCase()
          .replace(/[^\p{L}\p{N}\s-]/gu, "")
          .replace(/\s/g, "-"),
      );
    expect(headings).toContain(anchor);
  });
});
