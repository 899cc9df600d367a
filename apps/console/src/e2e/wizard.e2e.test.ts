import { useLab } from "@autostun/netlab/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestBrowser } from "./browser.js";
import { type LanDaemon, startWizardSession } from "./wizardLab.js";

// The wizard against the real daemon in a real NAT lab (network namespaces, nftables NAT), in Debian's
// chromium. The daemon and the browser both run in the lab's LAN namespace.

interface NatCheck {
  status: string;
  guidance: { title: string; steps: string[] } | null;
}

/** Asks the daemon from the page itself, which is inside the namespace with it. */
function natCheck(page: Page): Promise<NatCheck> {
  return page.evaluate(async () => {
    const response = await fetch("graphql", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-autostun-locale": "en",
        // The token the console keeps, as the page's own requests send it.
        authorization: `Bearer ${localStorage.getItem("autostun.token")}`,
      },
      body: JSON.stringify({ query: '{ check(id: "nat.type") { status guidance { title steps } } }' }),
    });
    const body = (await response.json()) as { data: { check: NatCheck } };
    return body.data.check;
  });
}

function natCheckFull(page: Page): Promise<unknown> {
  return page.evaluate(async () => {
    const response = await fetch("graphql", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${localStorage.getItem("autostun.token")}`,
      },
      body: JSON.stringify({ query: '{ check(id: "nat.type") { status summary facts finishedAt } }' }),
    });
    return response.json();
  });
}

describe("wizard in a NAT3 lab, then NAT1", () => {
  const lab = useLab({ nat: "NAT3", stun: "ours" });
  let daemon: LanDaemon;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    ({ daemon, browser, page } = await startWizardSession(lab()));
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("lands a first-time user (no tunnel) in the wizard, stopped at the NAT step with its guidance", async () => {
    await page.goto(daemon.url);
    await page.waitForURL(/#\/wizard$/);
    const step = page.locator('[data-wizard-step="nat"][data-step-state="blocked"]');
    await step.waitFor({ timeout: 45_000 });

    // The step before passed (a private address behind the router); the ones after are locked.
    expect(await page.locator('[data-wizard-nav="public-ip"]').getAttribute("data-step-state")).toBe(
      "passed",
    );
    for (const later of ["docker", "firewall", "security", "downloader", "enable", "proof"]) {
      expect(await page.locator(`[data-wizard-nav="${later}"] a`).count(), later).toBe(0);
    }
    expect(await step.locator(".step-mark").getAttribute("class")).toContain("step-mark--fail");

    // The daemon's NAT guidance is on screen as it sent it, and the ISP advice beside it.
    const check = await natCheck(page);
    expect(check.status).toBe("FAIL");
    expect(check.guidance).not.toBeNull();
    const guidance = step.locator("section.guidance");
    expect(await guidance.locator("h3").textContent()).toBe(check.guidance?.title);
    expect(await guidance.locator("ol > li").allTextContents()).toEqual(check.guidance?.steps);
    expect(await step.locator(".step-check__fallback").textContent()).toContain(
      "Only your ISP can give a line NAT1",
    );
    // A failure cannot be stepped past.
    expect(await step.getByRole("button", { name: /continue/ }).count()).toBe(0);
    await page.screenshot({ path: "/tmp/autostun-wizard-nat3.png", fullPage: true });
  });

  it("turns the NAT step green without a reload once the router is NAT1 and Test again is pressed", async () => {
    await page.evaluate(() => {
      (window as unknown as { stillThisPage: boolean }).stillThisPage = true;
    });
    await lab().setNat("NAT1");
    const step = page.locator('[data-wizard-step="nat"]');
    await step.getByRole("button", { name: "Test again" }).click();
    await page
      .locator('[data-wizard-step="nat"][data-step-state="passed"]')
      .waitFor({ timeout: 45_000 })
      .catch(async (error) => {
        throw new Error(`${error}\nnat.type now: ${JSON.stringify(await natCheckFull(page))}`);
      });

    expect(await step.locator(".step-mark").getAttribute("class")).toContain("step-mark--pass");
    expect(await step.locator("section.guidance").count()).toBe(0);
    expect((await natCheck(page)).status).toBe("PASS");
    expect(await page.evaluate(() => (window as unknown as { stillThisPage?: boolean }).stillThisPage)).toBe(
      true,
    );
    // The wizard moved on: the next step is reachable now.
    await step.getByRole("link", { name: /^Next: Docker network mode/ }).waitFor();
    expect(await page.locator('[data-wizard-nav="docker"] a').count()).toBe(1);
    await page.screenshot({ path: "/tmp/autostun-wizard-nat1.png", fullPage: true });
  });

  it("fits 360 px without sideways scrolling, every control named and reachable by Tab", async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${daemon.url}#/wizard/nat`);
    await page.locator('[data-wizard-step="nat"]').waitFor();
    // Lists that scroll sideways on purpose (page links, step marks) may hold more than fits.
    const overflowing = await page.evaluate(() => {
      const inScroller = (element: Element) => {
        for (let up = element.parentElement; up; up = up.parentElement) {
          if (getComputedStyle(up).overflowX !== "visible") return true;
        }
        return false;
      };
      return [...document.querySelectorAll("body *")]
        .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5)
        .filter((element) => !inScroller(element))
        .map((element) => `${element.tagName}.${element.className}`);
    });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    expect(overflowing).toEqual([]);

    const reached: { tag: string; name: string; nav: string | null }[] = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() => {
        const element = document.activeElement as HTMLElement | null;
        if (!element || element === document.body) return null;
        const labelled = element.getAttribute("aria-label");
        const byLabel = (element as HTMLInputElement).labels?.[0]?.textContent;
        return {
          tag: element.tagName.toLowerCase(),
          name: (labelled ?? byLabel ?? element.textContent ?? "").trim(),
          nav: element.getAttribute("data-nav"),
        };
      });
      if (focused) reached.push(focused);
    }
    for (const control of reached) expect(control.name, JSON.stringify(control)).not.toBe("");
    expect(new Set(reached.map((control) => control.nav).filter(Boolean))).toEqual(
      new Set(["wizard", "dashboard", "connections", "bans", "checks"]),
    );
    expect(reached.some((control) => control.name === "Test again")).toBe(true);
    await page.screenshot({ path: "/tmp/autostun-wizard-360.png", fullPage: true });
  });

  it("follows the system's dark or light setting", async () => {
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: "light" });
    const light = await background();
    await page.emulateMedia({ colorScheme: "dark" });
    const dark = await background();
    expect(dark).not.toBe(light);
    await page.screenshot({ path: "/tmp/autostun-wizard-360-dark.png", fullPage: true });
    await page.emulateMedia({ colorScheme: "light" });
  });

  it("follows 简体中文: the wizard's own text and the daemon's verdict both switch", async () => {
    await page.getByRole("button", { name: "简体中文" }).click();
    await page.getByRole("heading", { name: "设置 AutoSTUN" }).waitFor();
    const step = page.locator('[data-wizard-step="nat"][data-step-state="passed"]');
    expect(await step.locator(".step-check__state").textContent()).toBe("已通过");
    expect(await step.getByRole("button", { name: "再测一次" }).count()).toBe(1);
    // The summary comes from the daemon, asked again in the new locale.
    await page.waitForFunction(() =>
      /[\u4e00-\u9fff]/.test(document.querySelector(".step-check__summary")?.textContent ?? ""),
    );
    await page.screenshot({ path: "/tmp/autostun-wizard-zh.png", fullPage: true });
  });

  it("logged no error in the browser console", () => {
    expect(browser.errors.map((error) => error.text)).toEqual([]);
  });
});

describe("wizard in a NAT1 lab whose host firewall drops inbound connections", () => {
  const lab = useLab({ nat: "NAT1", stun: "ours" });
  let daemon: LanDaemon;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    // The LAN host's own firewall: loopback, replies and UDP pass, every new inbound TCP connection is
    // dropped. (Dropping UDP too would make the NAT itself look port-restricted, and the wizard would
    // rightly stop at the NAT step first.)
    const ruleset = [
      "table inet wizardfw {",
      "  chain input {",
      "    type filter hook input priority 0; policy drop;",
      '    iifname "lo" accept',
      "    ct state established,related accept",
      "    meta l4proto udp accept",
      "  }",
      "}",
      "",
    ].join("\n");
    const loaded = await lab().exec("lan", "nft", ["-f", "-"], { input: ruleset });
    expect(loaded.code, loaded.stderr).toBe(0);
    ({ daemon, browser, page } = await startWizardSession(lab()));
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("shows the firewall's guidance and applies its remedy only after confirmation, then the step turns green", async () => {
    await page.goto(daemon.url);
    await page.waitForURL(/#\/wizard$/);
    // The lab host's veth reads as a container bridge to the Docker check; a user who knows better
    // overrules it (a measured step would offer no such button).
    const docker = page.locator('[data-wizard-step="docker"][data-step-state="blocked"]');
    await docker.waitFor({ timeout: 45_000 });
    await docker.getByRole("button", { name: "I am sure this does not apply here, continue" }).click();

    const firewall = page.locator('[data-wizard-step="firewall"][data-step-state="blocked"]');
    await firewall.waitFor();
    await firewall.locator("section.guidance").waitFor();
    const remedy = firewall.locator(".step-check__remedies button").first();
    const remedyTitle = (await remedy.textContent()) ?? "";
    const dialog = page.getByRole("dialog");

    // Cancel changes nothing.
    await remedy.click();
    await dialog.waitFor();
    expect(await dialog.getByRole("heading").textContent()).toBe(`Apply “${remedyTitle}”?`);
    expect(await dialog.locator("pre").textContent()).toContain("nft");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    const before = await lab().exec("lan", "nft", ["list", "ruleset"]);
    expect(before.stdout).not.toContain("autostun");

    // Apply runs it; the daemon re-runs the check and the step turns green in place.
    await remedy.click();
    await dialog.getByRole("button", { name: "Apply" }).click();
    await dialog.locator(".dialog__outcome--ok").waitFor();
    await dialog.getByRole("button", { name: "Close" }).click();
    await page.locator('[data-wizard-step="firewall"][data-step-state="passed"]').waitFor();
    const after = await lab().exec("lan", "nft", ["list", "ruleset"]);
    expect(after.stdout).toContain("autostun");
  });

  it("logged no error in the browser console", () => {
    expect(browser.errors.map((error) => error.text)).toEqual([]);
  });
});
