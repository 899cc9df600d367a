import type { Lab } from "@autostun/netlab";
import { useLab } from "@autostun/netlab/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestBrowser } from "./browser.js";
import { type LanDaemon, startKeepaliveInWan, startWizardSession } from "./wizardLab.js";

// The wizard's IPv6 step and the dashboard's IPv6 path against the real daemon in a NAT1 lab with IPv6
// (the home router routes a /64 to the LAN host and filters inbound IPv6 statefully with nftables), in
// Debian's chromium. Daemon and browser both run in the lab's LAN namespace.

/** The downloader's peer port: a stand-in listens there on IPv6, and the check looks at it. */
const PEER_PORT = 6_881;

interface Ipv6Check {
  status: string;
  summary: string;
  guidance: { title: string; steps: string[] } | null;
  remedies: { id: string; title: string }[];
}

/** Asks the daemon from the page itself, which is inside the namespace with it. */
function ipv6Check(page: Page): Promise<Ipv6Check> {
  return page.evaluate(async () => {
    const response = await fetch("graphql", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-autostun-locale": "en",
        authorization: `Bearer ${localStorage.getItem("autostun.token")}`,
      },
      body: JSON.stringify({
        query:
          '{ check(id: "ipv6.reachability") { status summary guidance { title steps } remedies { id title } } }',
      }),
    });
    const body = (await response.json()) as { data: { check: Ipv6Check } };
    return body.data.check;
  });
}

/** The daemon's config for these labs: the lab's STUN servers on IPv4 and IPv6, the check's port, a tunnel. */
async function ipv6Config(lab: Lab): Promise<Record<string, unknown>> {
  const keepalive = await startKeepaliveInWan(lab);
  return {
    // IPv4 servers first: nat.type measures the IPv4 NAT with the first that answers; the IPv6 ones are
    // what ipv6.reachability measures the router's IPv6 filtering with.
    stun: { udp: [...lab.stunServers.udp, ...(lab.stunServers.udp6 ?? [])], tcp: [...lab.stunServers.tcp] },
    plugins: { config: { "@autostun/check-ipv6-reachability": { port: PEER_PORT } } },
    keepalive: { target: keepalive, intervalSeconds: 10 },
    tunnels: [{ id: "lab", localPort: 40_666, target: `127.0.0.1:${PEER_PORT}`, forward: "userspace" }],
  };
}

/** The text of one line of the IPv6 facts, by its id (address, router, listening, pinhole, swarm). */
function fact(scope: ReturnType<Page["locator"]>, id: string) {
  return scope.locator(`[data-ipv6-fact="${id}"] dd`).textContent();
}

describe("the IPv6 step behind the router's IPv6 firewall, then with it off", () => {
  const lab = useLab({ nat: "NAT1", stun: "ours", ipv6: { firewall: true } });
  let daemon: LanDaemon;
  let browser: TestBrowser;
  let page: Page;
  let lanIp: string;

  beforeAll(async () => {
    const ipv6 = lab().ipv6;
    if (!ipv6) throw new Error("the lab was built without IPv6");
    lanIp = ipv6.lanIp;
    // A downloader stand-in accepting TCP on every IPv6 address of the peer port.
    lab().spawn("lan", "socat", [`TCP6-LISTEN:${PEER_PORT},ipv6only=1,fork,reuseaddr`, "EXEC:cat"]);
    await lab().waitForListening("lan", { tcp: [`[::]:${PEER_PORT}`] });
    ({ daemon, browser, page } = await startWizardSession(lab(), await ipv6Config(lab())));
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("stops right after the NAT step with FAIL, the router's firewall named, its facts and guidance", async () => {
    await page.goto(`${daemon.url}#/wizard`);
    // The first step that is not still checking is where the wizard stopped.
    const stopped = page.locator("[data-wizard-step]:not([data-step-state='waiting'])");
    await stopped.waitFor({ timeout: 90_000 });
    const where = `${await stopped.getAttribute("data-wizard-step")}: ${await stopped.getAttribute("data-step-state")}`;
    expect(where, `${await stopped.locator(".step-check__summary").textContent()}`).toBe("ipv6: blocked");
    const step = page.locator('[data-wizard-step="ipv6"]');
    for (const before of ["public-ip", "nat"])
      expect(
        await page.locator(`[data-wizard-nav="${before}"]`).getAttribute("data-step-state"),
        before,
      ).toBe("passed");
    // Third of the steps, right after NAT.
    expect(await step.locator(".step__count").textContent()).toBe("Step 3 of 9");
    expect(await step.locator("[data-step-check]").getAttribute("data-status")).toBe("FAIL");
    expect(await step.locator(".step-mark").getAttribute("class")).toContain("step-mark--fail");

    const check = await ipv6Check(page);
    expect(check.status).toBe("FAIL");
    expect(await step.locator(".step-check__summary").textContent()).toBe(check.summary);
    expect(check.summary).toMatch(/router's IPv6 firewall/);

    // The facts that decide it, in words: the address peers would reach, the router filtering, the
    // downloader listening on IPv6, no pinhole (UPnP is off), nothing from the swarm yet.
    expect(await fact(step, "address")).toBe(lanIp);
    expect(await fact(step, "router")).toMatch(
      /^the router's firewall drops unsolicited inbound IPv6 \(ADDRESS/,
    );
    expect(await fact(step, "listening")).toBe(`listens on IPv6, port ${PEER_PORT} (::)`);
    expect(await fact(step, "pinhole")).toBe("none (UPnP is off in AutoSTUN)");

    // The daemon's guidance as it sent it, the way round the modem, and a button per remedy it offers.
    const guidance = step.locator("section.guidance");
    expect(await guidance.locator("h3").textContent()).toBe(check.guidance?.title);
    expect(await guidance.locator("ol > li").allTextContents()).toEqual(check.guidance?.steps);
    expect(await step.locator(".step-check__fallback").textContent()).toContain("open a pinhole");
    expect(await step.locator(".step-check__remedies button").allTextContents()).toEqual(
      check.remedies.map((remedy) => remedy.title),
    );
    // The IPv4 tunnel does not need IPv6: the user may leave it for later.
    expect(await step.getByRole("button", { name: "Go on with IPv4 only for now" }).count()).toBe(1);
    await page.screenshot({ path: "/tmp/autostun-wizard-ipv6-fail.png", fullPage: true });
  }, 120_000);

  it("turns green without a reload once the router's firewall is off and Test again is pressed", async () => {
    await lab().setIpv6Firewall(false);
    const step = page.locator('[data-wizard-step="ipv6"]');
    await step.getByRole("button", { name: "Test again" }).click();
    await page
      .locator('[data-wizard-step="ipv6"][data-step-state="passed"]')
      .waitFor({ timeout: 60_000 })
      .catch(async (error) => {
        throw new Error(`${error}\nipv6.reachability: ${JSON.stringify(await ipv6Check(page))}`);
      });
    expect(await fact(step, "router")).toBe("open: unsolicited inbound IPv6 gets in");
    expect(await step.locator("section.guidance").count()).toBe(0);
    await step.getByRole("link", { name: /^Next: Docker network mode/ }).waitFor();
    await page.screenshot({ path: "/tmp/autostun-wizard-ipv6-pass.png", fullPage: true });
  }, 120_000);

  it("says it in Chinese", async () => {
    await page.getByRole("button", { name: "简体中文" }).click();
    const step = page.locator('[data-wizard-step="ipv6"]');
    await step.getByRole("heading", { name: "IPv6：无需隧道的通路" }).waitFor();
    expect(await step.locator('[data-ipv6-fact="router"] dt').textContent()).toBe("路由器的过滤行为");
    expect(await fact(step, "router")).toBe("放行：外部主动发起的 IPv6 入站流量可以进入");
    await page.getByRole("button", { name: "English" }).click();
    await step.getByRole("heading", { name: "IPv6: the path without a tunnel" }).waitFor();
  });

  it("shows the IPv6 path beside the tunnels, and the tunnel card's IPv6 address and pinhole", async () => {
    await page.goto(`${daemon.url}#/dashboard`);
    const path = page.locator('[data-ipv6-path="PASS"]');
    await path.waitFor();
    expect(await fact(path, "address")).toBe(lanIp);
    expect(await fact(path, "router")).toBe("open: unsolicited inbound IPv6 gets in");
    expect(await path.getByRole("link", { name: "Details in the wizard" }).getAttribute("href")).toBe(
      "#/wizard/ipv6",
    );
    // In the same grid as the tunnel cards.
    expect(await page.locator(".tunnels > .ipv6-path").count()).toBe(1);

    const card = page.locator('[data-tunnel-id="lab"]');
    const ipv6 = card.locator("[data-ipv6-pinhole]");
    await ipv6.waitFor();
    expect(await ipv6.getAttribute("data-ipv6-pinhole")).toBe("NONE");
    expect(await ipv6.locator("[data-ipv6-address]").textContent()).toBe(`[${lanIp}]:${PEER_PORT}`);
    expect(await ipv6.locator("[data-ipv6-pinhole-state]").textContent()).toBe(
      "none (UPnP is off in AutoSTUN)",
    );
    await page.screenshot({ path: "/tmp/autostun-dashboard-ipv6.png", fullPage: true });
  });

  it("fits a 360 px phone without sideways scrolling, on the step and on the dashboard", async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    for (const [route, ready] of [
      ["#/wizard/ipv6", '[data-wizard-step="ipv6"] [data-ipv6-fact="router"]'],
      ["#/dashboard", '[data-ipv6-path] [data-ipv6-fact="router"]'],
    ] as const) {
      await page.goto(`${daemon.url}${route}`);
      await page.locator(ready).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth), route).toBeLessThanOrEqual(360);
      await page.screenshot({
        path: `/tmp/autostun-ipv6-360-${route.slice(2).replace("/", "-")}.png`,
        fullPage: true,
      });
    }
    await page.setViewportSize({ width: 1100, height: 900 });
  });

  it("logged no error in the browser console", () => {
    expect(browser.errors.map((error) => error.text)).toEqual([]);
  });
});

describe("the IPv6 step when this host's own firewall drops inbound IPv6", () => {
  // The router lets IPv6 in; the LAN host's nftables drops every new inbound IPv6 connection.
  const lab = useLab({ nat: "NAT1", stun: "ours", ipv6: { firewall: false } });
  let daemon: LanDaemon;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    const ruleset = [
      "table inet hostfw {",
      "  chain input {",
      "    type filter hook input priority 0; policy accept;",
      "    ct state established,related accept",
      '    iifname "lo" accept',
      "    meta l4proto ipv6-icmp accept",
      "    meta nfproto ipv6 drop",
      "  }",
      "}",
      "",
    ].join("\n");
    const loaded = await lab().exec("lan", "nft", ["-f", "-"], { input: ruleset });
    expect(loaded.code, loaded.stderr).toBe(0);
    lab().spawn("lan", "socat", [`TCP6-LISTEN:${PEER_PORT},ipv6only=1,fork,reuseaddr`, "EXEC:cat"]);
    await lab().waitForListening("lan", { tcp: [`[::]:${PEER_PORT}`] });
    ({ daemon, browser, page } = await startWizardSession(lab(), await ipv6Config(lab())));
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("names this host's firewall and opens exactly the port only after the user confirms", async () => {
    await page.goto(`${daemon.url}#/wizard`);
    const stopped = page.locator("[data-wizard-step]:not([data-step-state='waiting'])");
    await stopped.waitFor({ timeout: 90_000 });
    const where = `${await stopped.getAttribute("data-wizard-step")}: ${await stopped.getAttribute("data-step-state")}`;
    expect(where, `${await stopped.locator(".step-check__summary").textContent()}`).toBe("ipv6: blocked");
    const step = page.locator('[data-wizard-step="ipv6"]');
    expect(await step.locator("[data-step-check]").getAttribute("data-status")).toBe("FAIL");
    expect(await step.locator(".step-check__summary").textContent()).toContain(
      `This host's own firewall drops unsolicited inbound IPv6 to port ${PEER_PORT}`,
    );

    // The probes' answers died at this host's firewall too: the router is not blamed for it.
    expect(await fact(step, "router")).toMatch(
      /^not measured: this host's own firewall dropped the answers first/,
    );

    const check = await ipv6Check(page);
    const allow = check.remedies.find((remedy) => remedy.id === "allow-ipv6-port");
    expect(allow, JSON.stringify(check.remedies)).toBeDefined();
    const button = step.locator(".step-check__remedies button", { hasText: allow?.title ?? "" });
    const dialog = page.getByRole("dialog");

    // Cancel changes nothing.
    await button.click();
    await dialog.waitFor();
    expect(await dialog.getByRole("heading").textContent()).toBe(`Apply “${allow?.title}”?`);
    expect(await dialog.locator("pre").textContent()).toContain(`tcp dport ${PEER_PORT} accept`);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    expect((await lab().exec("lan", "nft", ["list", "ruleset"])).stdout).not.toContain("autostun");

    // Apply inserts the narrow rules; the daemon runs the check again and the failure is gone in place.
    await button.click();
    await dialog.getByRole("button", { name: "Apply" }).click();
    await dialog.locator(".dialog__outcome--ok").waitFor();
    await dialog.getByRole("button", { name: "Close" }).click();
    await page
      .locator('[data-wizard-step="ipv6"]:not([data-step-state="blocked"]):not([data-step-state="waiting"])')
      .waitFor();
    const rules = (await lab().exec("lan", "nft", ["list", "chain", "inet", "hostfw", "input"])).stdout;
    const ours = rules.split("\n").filter((line) => line.includes("autostun"));
    expect(ours).toHaveLength(2);
    expect(ours.every((line) => line.includes(`dport ${PEER_PORT} accept`))).toBe(true);
    await page.screenshot({ path: "/tmp/autostun-wizard-ipv6-remedy.png", fullPage: true });
  }, 150_000);

  it("logged no error in the browser console", () => {
    expect(browser.errors.map((error) => error.text)).toEqual([]);
  });
});

describe("the IPv6 step on a host without IPv6", () => {
  const lab = useLab({ nat: "NAT1", stun: "ours" });
  let daemon: LanDaemon;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    ({ daemon, browser, page } = await startWizardSession(lab(), await ipv6Config(lab())));
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("is skipped: the wizard goes past it by itself, and the step is one line", async () => {
    await page.goto(`${daemon.url}#/wizard`);
    // The lab's veth reads as a container bridge to the Docker check: the wizard stops there, past IPv6.
    await page
      .locator('[data-wizard-step="docker"]:not([data-step-state="waiting"])')
      .waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-wizard-nav="ipv6"]').getAttribute("data-step-state")).toBe("skipped");
    // Next from the NAT step does not lead to a step with nothing to do.
    await page.goto(`${daemon.url}#/wizard/nat`);
    await page.getByRole("link", { name: /^Next: Docker network mode/ }).waitFor();

    await page.goto(`${daemon.url}#/wizard/ipv6`);
    const step = page.locator('[data-wizard-step="ipv6"][data-step-state="skipped"]');
    await step.waitFor();
    expect(await step.locator("[data-ipv6-skipped]").textContent()).toMatch(
      /^No IPv6 here, step skipped: This host has no global IPv6 address/,
    );
    expect(await step.locator("[data-ipv6-fact], section.guidance, details.facts").count()).toBe(0);
    await page.screenshot({ path: "/tmp/autostun-wizard-ipv6-skip.png", fullPage: true });
  });

  it("shows the dashboard's IPv6 path as one line", async () => {
    await page.goto(`${daemon.url}#/dashboard`);
    const path = page.locator('[data-ipv6-path="SKIP"]');
    await path.waitFor();
    expect(await path.locator("[data-ipv6-skipped]").textContent()).toMatch(/no global IPv6 address/);
    expect(await path.locator("[data-ipv6-fact]").count()).toBe(0);
  });

  it("logged no error in the browser console", () => {
    expect(browser.errors.map((error) => error.text)).toEqual([]);
  });
});
