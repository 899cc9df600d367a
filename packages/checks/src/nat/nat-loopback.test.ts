import { localize, Services } from "@autostun/plugins-api";
import { createNetworkInfo } from "@autostun/probes";
import { type StunServer, startStunServer } from "@autostun/stun";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBuiltin, runLoadedCheck } from "../testing/run-check.js";

// Our RFC 5780 server on two loopback addresses: no NAT in between, so the host must be seen as OPEN.
let server: StunServer;
beforeAll(async () => {
  server = await startStunServer({ primary: "127.0.0.1", alternate: "127.0.0.2", port: 0, altPort: 0 });
});
afterAll(() => server?.close());

describe("nat extension against a real STUN server on loopback", () => {
  it("runs one shared discovery for nat.type and network.public-ip", async () => {
    const udp = server.endpoints.filter((e) => e.transport === "udp" && e.address === "127.0.0.1")[0];
    const tcp = server.endpoints.filter((e) => e.transport === "tcp" && e.address === "127.0.0.1")[0];
    const services = new Map<symbol, unknown>([
      [Services.StunSettings, { udp: [`127.0.0.1:${udp?.port}`], tcp: [`127.0.0.1:${tcp?.port}`] }],
      [Services.NetworkInfo, createNetworkInfo()],
    ]);
    const loaded = await loadBuiltin("nat", services);
    const nat = await runLoadedCheck(loaded, "nat.type", services);
    expect(nat.facts).toMatchObject({ natType: "OPEN", publicIp: "127.0.0.1" });
    expect(nat.status).toBe("WARN");
    // As a new user meets it: both verdicts read the same discovery the same way, without placeholders.
    const ip = await runLoadedCheck(loaded, "network.public-ip", services);
    expect(ip.status).toBe("WARN");
    for (const locale of ["en", "zh-CN"]) {
      const texts = [localize(nat.summary, locale), localize(ip.summary, locale)];
      for (const text of texts) expect(text).not.toMatch(/\?|？|No NAT|Behind NAT|没有 NAT|位于 NAT 之后/);
    }
    expect(localize(nat.summary)).toContain("on this host");
    expect(localize(ip.summary)).toContain("on this host");
  });

  it("skips with a clear summary when no STUN server is configured", async () => {
    const services = new Map<symbol, unknown>([[Services.StunSettings, { udp: [], tcp: [] }]]);
    const loaded = await loadBuiltin("nat", services);
    const nat = await runLoadedCheck(loaded, "nat.type", services);
    expect(nat).toMatchObject({
      status: "SKIP",
      summary: { en: expect.stringContaining("No STUN servers are configured") },
    });
  });
});
