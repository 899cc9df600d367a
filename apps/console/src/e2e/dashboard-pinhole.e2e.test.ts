import { useLab } from "@autostun/netlab/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestBrowser } from "./browser.js";
import { type LanDaemon, startKeepaliveInWan, startWizardSession } from "./wizardLab.js";

// The tunnel card's IPv6 pinhole against the real daemon and real miniupnpd: a two-level lab whose home
// router filters inbound IPv6 statefully and lets miniupnpd open pinholes in that filter. Daemon and
// Debian's chromium run in the lab's LAN namespace.

const PEER_PORT = 6_881;

describe("the tunnel card's pinhole on a home router with miniupnpd", () => {
  const lab = useLab({ nat: "NAT1", stun: "ours", homeRouter: { upnp: "allow" }, ipv6: { firewall: true } });
  let daemon: LanDaemon;
  let browser: TestBrowser;
  let page: Page;
  let lanIp: string;

  beforeAll(async () => {
    const ipv6 = lab().ipv6;
    if (!ipv6) throw new Error("the lab was built without IPv6");
    lanIp = ipv6.lanIp;
    lab().spawn("lan", "socat", [`TCP6-LISTEN:${PEER_PORT},ipv6only=1,fork,reuseaddr`, "EXEC:cat"]);
    await lab().waitForListening("lan", { tcp: [`[::]:${PEER_PORT}`] });
    const keepalive = await startKeepaliveInWan(lab());
    ({ daemon, browser, page } = await startWizardSession(lab(), {
      upnp: { enabled: true, leaseSeconds: 600 },
      keepalive: { target: keepalive, intervalSeconds: 10 },
      plugins: { config: { "@autostun/check-ipv6-reachability": { port: PEER_PORT } } },
      tunnels: [{ id: "lab", localPort: 40_666, target: `127.0.0.1:${PEER_PORT}`, forward: "userspace" }],
    }));
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("shows the pinhole open until its lease ends, as miniupnpd holds it for the downloader's port", async () => {
    await page.goto(`${daemon.url}#/dashboard`);
    const part = page.locator('[data-tunnel-id="lab"] [data-ipv6-pinhole="OPEN"]');
    await part.waitFor({ timeout: 60_000 }).catch(async (error) => {
      const now = await page.locator('[data-tunnel-id="lab"] [data-ipv6-pinhole]').textContent();
      throw new Error(`${error}\nthe card's IPv6 part: ${now}\nminiupnpd: ${lab().homeRouter?.log()}`);
    });
    expect(await part.locator("[data-ipv6-address]").textContent()).toBe(`[${lanIp}]:${PEER_PORT}`);
    const state = (await part.locator("[data-ipv6-pinhole-state]").textContent()) ?? "";
    expect(state).toMatch(/^open until \d{1,2}:\d{2}( [AP]M)? \(in (9|10)m \d{2}s\)$/);

    // What the card says is what the router holds: that address and port, TCP at least.
    const held = await lab().homeRouter?.pinholes();
    expect(
      held?.filter((rule) => rule.address === lanIp && rule.port === PEER_PORT).map((r) => r.transport),
    ).toContain("TCP");
    expect(await part.textContent()).toContain("TCP");
    await page.screenshot({ path: "/tmp/autostun-dashboard-pinhole.png", fullPage: true });
  });

  it("shows the same pinhole among the IPv6 path's facts beside the tunnels", async () => {
    // (The wizard's IPv6 step reads it the same way, but in this two-level lab it stays locked behind
    // the NAT step: the home router's NAT in front of the ISP's makes the line fail nat.type.)
    const pinhole = page.locator('[data-ipv6-path] [data-ipv6-fact="pinhole"] dd');
    await pinhole.waitFor();
    expect(await pinhole.textContent()).toMatch(/^open until .*\(in (9|10)m \d{2}s\)$/);
  });

  it("shows it removed once the tunnel stops, and the router holds it no more", async () => {
    await page.goto(`${daemon.url}#/dashboard`);
    const card = page.locator('[data-tunnel-id="lab"]');
    await card.getByRole("button", { name: "Stop" }).click();
    await card.locator('[data-ipv6-pinhole="REMOVED"]').waitFor({ timeout: 30_000 });
    expect(await card.locator("[data-ipv6-pinhole-state]").textContent()).toBe("removed");
    const held = await lab().homeRouter?.pinholes();
    expect(held?.filter((rule) => rule.address === lanIp && rule.port === PEER_PORT)).toEqual([]);
  });

  it("logged no error in the browser console", () => {
    expect(browser.errors.map((error) => error.text)).toEqual([]);
  });
});
