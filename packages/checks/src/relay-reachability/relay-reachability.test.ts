import {
  type CheckOutcome,
  type LocalizedText,
  localize,
  Services,
  type TunnelActivityEntry,
} from "@autostun/plugins-api";
import { describe, expect, it } from "vitest";
import { loadBuiltin, runLoadedCheck } from "../testing/run-check.js";
import { decideReachability } from "./verdict.js";

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
