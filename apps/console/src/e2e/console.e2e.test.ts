import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statusAppearance } from "../checks/statusAppearance.js";
import { launchBrowser, type TestBrowser } from "./browser.js";
import { ensureConsoleBuilt } from "./build.js";
import { graphqlRequest, type RunningDaemon, startDaemon } from "./daemon.js";
import { FIXTURE, type FixturePlugin, writeFixturePlugin } from "./fixturePlugin.js";

// The real daemon (`autostun serve`) on loopback, the built console it serves, and Debian's chromium.

interface ServerCheck {
  id: string;
  status: string;
  summary: string | null;
  finishedAt: string | null;
  dependsOn: string[];
}

const CHECKS = "{ checks { id status summary finishedAt dependsOn } }";
const RUN_ALL = "mutation { runChecks { id status summary finishedAt dependsOn } }";

/** What the page shows for each check, read from the DOM. */
interface Row {
  id: string;
  status: string;
  finishedAt: string;
  summary: string;
  mark: string | null;
  glyph: string;
  spinner: boolean;
}

function rowsOnPage(page: Page): Promise<Row[]> {
  return page.$$eval("[data-check-id]", (items) =>
    items.map((item) => {
      const mark = item.querySelector("[data-mark]");
      return {
        id: item.getAttribute("data-check-id") ?? "",
        status: item.getAttribute("data-status") ?? "",
        finishedAt: item.getAttribute("data-finished-at") ?? "",
        summary: item.querySelector(".check__summary")?.textContent ?? "",
        mark: mark?.getAttribute("data-mark") ?? null,
        glyph: mark?.textContent ?? "",
        spinner: mark?.querySelector(".spinner") !== null && mark !== null,
      };
    }),
  );
}

/** Waits until every row's `finishedAt` is the one given for its id. */
async function waitForFinishedAt(
  page: Page,
  expected: Record<string, string | null>,
  timeout?: number,
): Promise<void> {
  await page.waitForFunction(
    (want) => {
      const items = [...document.querySelectorAll("[data-check-id]")];
      return (
        items.length === Object.keys(want).length &&
        items.every(
          (item) =>
            item.getAttribute("data-finished-at") === (want[item.getAttribute("data-check-id") ?? ""] ?? ""),
        )
      );
    },
    expected,
    timeout === undefined ? undefined : { timeout },
  );
}

function finishedAtById(
  checks: readonly { id: string; finishedAt: string | null }[],
): Record<string, string | null> {
  return Object.fromEntries(checks.map((check) => [check.id, check.finishedAt]));
}

/** Waits until neither the daemon nor the page has a check queued or running. */
async function settled(page: Page, daemon: RunningDaemon): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { checks } = await graphqlRequest<{ checks: ServerCheck[] }>(daemon.url, CHECKS);
    if (checks.every((check) => check.status !== "RUNNING" && check.status !== "PENDING")) break;
    if (Date.now() > deadline)
      throw new Error(`the daemon's checks never settled: ${JSON.stringify(checks)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await page.waitForFunction(
    () => document.querySelectorAll('[data-status="RUNNING"], [data-status="PENDING"]').length === 0,
  );
}

/**
 * Runs `step` once the checks are settled, again (at most three times in all) when it failed while the
 * daemon started a diagnosis of its own because this machine's addresses changed: other test files add
 * and remove interfaces meanwhile, and such a run moves every result under a step that compares before
 * and after. A failure without such a run is the step's own.
 */
async function despiteNetworkRuns(
  page: Page,
  daemon: RunningDaemon,
  step: () => Promise<void>,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await settled(page, daemon);
    const runs = daemon.networkRuns();
    try {
      await step();
      return;
    } catch (error) {
      if (daemon.networkRuns() === runs || attempt >= 3) throw error;
    }
  }
}

/** Waits until the page shows the daemon's current results (ask again: a run may still be moving on). */
async function showsDaemonResults(page: Page, daemon: RunningDaemon): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { checks } = await graphqlRequest<{ checks: ServerCheck[] }>(daemon.url, CHECKS);
    try {
      await waitForFinishedAt(page, finishedAtById(checks), 3_000);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

describe("console served by a real daemon", () => {
  let daemon: RunningDaemon & { dataDir: string };
  let fixture: FixturePlugin;
  let browser: TestBrowser;
  let page: Page;
  const pageGraphqlPosts: string[] = [];

  beforeAll(async () => {
    ensureConsoleBuilt();
    fixture = await writeFixturePlugin();
    daemon = await startDaemon({ pluginsDir: fixture.pluginsDir });
    browser = await launchBrowser({ locale: "en-US", timeoutMs: 15_000, token: daemon.token });
    page = browser.page;
    page.on("request", (request) => {
      if (request.method() === "POST" && new URL(request.url()).pathname === "/graphql") {
        pageGraphqlPosts.push(request.postData() ?? "");
      }
    });
  });

  afterAll(async () => {
    if (daemon) console.log(`diagnoses the daemon started on a network change: ${daemon.networkRuns()}`);
    await browser?.close();
    await daemon?.stop();
    if (daemon) await rm(daemon.dataDir, { recursive: true, force: true });
    if (fixture) await rm(fixture.pluginsDir, { recursive: true, force: true });
  });

  it("lists every check the daemon has, each with its status mark, over a live connection", async () => {
    const { checks } = await graphqlRequest<{ checks: ServerCheck[] }>(daemon.url, CHECKS);
    expect(checks.length).toBeGreaterThan(0);

    await page.goto(`${daemon.url}#/checks`);
    await page.locator('[data-connection="live"]').waitFor();
    await page.waitForFunction(
      (count) => document.querySelectorAll("[data-check-id]").length === count,
      checks.length,
    );
    await page.waitForFunction(
      () => document.querySelectorAll('[data-status="RUNNING"], [data-status="PENDING"]').length === 0,
    );

    const rows = await rowsOnPage(page);
    expect(rows.map((row) => row.id)).toEqual(checks.map((check) => check.id));
    for (const row of rows) {
      const look = statusAppearance(row.status);
      expect(row.mark, row.id).toBe(row.status);
      if (look.busy) expect(row.spinner, row.id).toBe(true);
      else expect(row.glyph, row.id).toBe(look.glyph);
    }
    expect(await page.getByRole("button", { name: "Run checks" }).isEnabled()).toBe(true);
    expect(await page.getAttribute("html", "lang")).toBe("en");
  });

  it("marks a broken check apart from a failed one, with the guidance of each open", async () => {
    await settled(page, daemon);
    const failing = page.locator(`[data-check-id="${FIXTURE.failing}"]`);
    const broken = page.locator(`[data-check-id="${FIXTURE.broken}"]`);
    expect(await failing.getAttribute("data-status")).toBe("FAIL");
    expect(await broken.getAttribute("data-status")).toBe("ERROR");
    expect(await failing.locator(".mark").textContent()).toBe("✗");
    expect(await broken.locator(".mark").textContent()).toBe("⚠");
    expect(await failing.locator(".pill").textContent()).toBe("Failed");
    expect(await broken.locator(".pill").textContent()).toBe("Check broke");
    expect(await broken.locator(".check__summary").textContent()).toContain(
      "the fixture check threw on purpose",
    );
    expect(await broken.locator(".check__broke").textContent()).toContain("says nothing about your network");

    // Guidance of a failed check is on screen without a click: title, numbered steps, a link.
    const guidance = failing.locator("section.guidance");
    expect(await guidance.locator("h3").textContent()).toBe("Bring the value down to 1");
    expect(await guidance.locator("ol > li").allTextContents()).toEqual([
      "Open the fixture's settings.",
      "Set the value to 1.",
      "Run the checks again.",
    ]);
    expect(await guidance.getByRole("link").getAttribute("href")).toBe(
      "https://docs.invalid/fixture-failing",
    );

    // Facts are folded until asked for.
    const facts = failing.locator(".facts__json");
    expect(await facts.isVisible()).toBe(false);
    await failing.getByText("Facts", { exact: true }).click();
    expect(JSON.parse((await facts.textContent()) ?? "")).toEqual({ measured: 3, wanted: 1 });
  });

  it("re-runs every check from the Run checks button and shows the new results", async () => {
    await despiteNetworkRuns(page, daemon, async () => {
      const before = finishedAtById(await rowsOnPage(page));
      await page.getByRole("button", { name: "Run checks" }).click();
      await page.waitForFunction((old) => {
        const items = [...document.querySelectorAll("[data-check-id]")];
        return items.every((item) => {
          const finished = item.getAttribute("data-finished-at");
          return finished !== "" && finished !== old[item.getAttribute("data-check-id") ?? ""];
        });
      }, before);
      await page.locator("button:not([disabled])", { hasText: "Run checks" }).waitFor();

      const { checks } = await graphqlRequest<{ checks: ServerCheck[] }>(daemon.url, CHECKS);
      const rows = await rowsOnPage(page);
      expect(rows.map(({ id, status, finishedAt }) => ({ id, status, finishedAt }))).toEqual(
        checks.map(({ id, status, finishedAt }) => ({ id, status, finishedAt: finishedAt ?? "" })),
      );
    });
  }, 120_000);

  it("shows a run started by another client as it happens, pushed over the WebSocket", async () => {
    await despiteNetworkRuns(page, daemon, async () => {
      const before = finishedAtById(await rowsOnPage(page));
      const postsBefore = pageGraphqlPosts.length;

      const { runChecks } = await graphqlRequest<{ runChecks: ServerCheck[] }>(daemon.url, RUN_ALL);
      const after = finishedAtById(runChecks);
      for (const id of Object.keys(before)) expect(after[id], id).not.toBe(before[id]);

      await waitForFinishedAt(page, after);
      // The page learnt of the run without asking: no HTTP request left it meanwhile.
      expect(pageGraphqlPosts.length).toBe(postsBefore);
    });
    await page.screenshot({ path: "/tmp/autostun-console.png", fullPage: true });
  }, 120_000);

  it("re-runs a single check from its row, leaving unrelated checks alone", async () => {
    const { checks } = await graphqlRequest<{ checks: ServerCheck[] }>(daemon.url, CHECKS);
    const target = checks[0]!;
    // The daemon also re-runs what the target depends on; everything else must stay as it was.
    const involved = new Set<string>();
    const visit = (id: string) => {
      if (involved.has(id)) return;
      involved.add(id);
      for (const dependency of checks.find((check) => check.id === id)?.dependsOn ?? []) visit(dependency);
    };
    visit(target.id);

    await despiteNetworkRuns(page, daemon, async () => {
      const before = finishedAtById(await rowsOnPage(page));
      const row = page.locator(`[data-check-id="${target.id}"]`);
      await row.getByRole("button", { name: "Re-run" }).click();
      await page.waitForFunction(
        ({ id, old }) => {
          const item = document.querySelector(`[data-check-id="${id}"]`);
          const finished = item?.getAttribute("data-finished-at");
          return !!finished && finished !== old;
        },
        { id: target.id, old: before[target.id] ?? "" },
      );
      await row.locator("button:not([disabled])", { hasText: "Re-run" }).waitFor();

      const after = finishedAtById(await rowsOnPage(page));
      for (const check of checks) {
        if (!involved.has(check.id)) expect(after[check.id], check.id).toBe(before[check.id]);
      }
    });
  }, 120_000);

  it("applies a remedy only after the user confirmed it in a dialog", async () => {
    await settled(page, daemon);
    const row = page.locator(`[data-check-id="${FIXTURE.fixable}"]`);
    expect(await row.getAttribute("data-status")).toBe("WARN");
    const dialog = page.getByRole("dialog");

    await row.getByRole("button", { name: "Create marker file" }).click();
    await dialog.waitFor();
    expect(await dialog.getByRole("heading").textContent()).toBe("Apply “Create marker file”?");
    expect(await dialog.textContent()).toContain("Writes an empty file into the fixture's temporary folder.");
    expect(await dialog.locator("pre").textContent()).toBe(`touch ${fixture.markerFile}`);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(existsSync(fixture.markerFile)).toBe(false);

    await row.getByRole("button", { name: "Create marker file" }).click();
    await dialog.getByRole("button", { name: "Apply" }).click();
    await dialog.getByText("Marker file created.").waitFor();
    expect(existsSync(fixture.markerFile)).toBe(true);
    await dialog.getByRole("button", { name: "Close" }).click();
    await dialog.waitFor({ state: "detached" });
    // The daemon re-ran the check after the fix; the row shows the new verdict.
    await page.locator(`[data-check-id="${FIXTURE.fixable}"][data-status="PASS"]`).waitFor();
  });

  it("switches to 简体中文: interface, daemon text and the live feed all follow", async () => {
    const english = await graphqlRequest<{ checks: ServerCheck[] }>(daemon.url, CHECKS, { locale: "en" });
    const chinese = await graphqlRequest<{ checks: ServerCheck[] }>(daemon.url, CHECKS, { locale: "zh-CN" });
    // Without a difference in the daemon's own text this test could not tell the locales apart.
    expect(chinese.checks.map((c) => c.summary)).not.toEqual(english.checks.map((c) => c.summary));

    await page.getByRole("button", { name: "简体中文" }).click();
    await page.getByRole("button", { name: "运行检查" }).waitFor();
    expect(await page.getAttribute("html", "lang")).toBe("zh-CN");
    await page.locator('[data-connection="live"]', { hasText: "实时" }).waitFor();
    await page.waitForFunction(
      (want) =>
        [...document.querySelectorAll(".check__summary")].map((n) => n.textContent).join("\n") === want,
      chinese.checks.map((c) => c.summary ?? "尚无结果。").join("\n"),
    );

    // A run started in English by someone else still reaches this page in Chinese: the WebSocket
    // reconnected with the new locale in its connectionParams.
    await despiteNetworkRuns(page, daemon, async () => {
      const { runChecks } = await graphqlRequest<{ runChecks: ServerCheck[] }>(daemon.url, RUN_ALL, {
        locale: "en",
      });
      await waitForFinishedAt(page, finishedAtById(runChecks));
      const latest = await graphqlRequest<{ checks: ServerCheck[] }>(daemon.url, CHECKS, {
        locale: "zh-CN",
      });
      const rows = await rowsOnPage(page);
      expect(rows.map((row) => row.summary)).toEqual(latest.checks.map((c) => c.summary ?? "尚无结果。"));
    });

    // The choice outlives a reload.
    await page.reload();
    await page.getByRole("button", { name: "运行检查" }).waitFor();
    await page.locator("[data-check-id]").first().waitFor();
    await page.screenshot({ path: "/tmp/autostun-console-zh.png", fullPage: true });
  }, 120_000);

  it("says offline when the daemon stops, and goes live again with fresh data when it is back", async () => {
    await daemon.stop();
    await page.locator('[data-connection="offline"]').waitFor({ timeout: 25_000 });
    await page.locator(".notice--stale").waitFor();

    daemon = await startDaemon({
      port: daemon.port,
      dataDir: daemon.dataDir,
      pluginsDir: fixture.pluginsDir,
    });
    await page.locator('[data-connection="live"]').waitFor({ timeout: 25_000 });
    await page.locator(".notice--stale").waitFor({ state: "detached" });
    // The restarted daemon runs its checks on start, so what it reports may still move on after one
    // look: ask again until the page shows the daemon's current results.
    await showsDaemonResults(page, daemon);
  }, 90_000);
});

describe("console served by a daemon that requires an API token", () => {
  const token = randomBytes(18).toString("base64url");
  let daemon: RunningDaemon & { dataDir: string };
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    ensureConsoleBuilt();
    daemon = await startDaemon({ token });
    // A Chinese browser: the console must start in 简体中文 without being told.
    browser = await launchBrowser({ locale: "zh-CN", timeoutMs: 15_000 });
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
    if (daemon) await rm(daemon.dataDir, { recursive: true, force: true });
  });

  it("asks for the token, refuses a wrong one, connects with the right one and remembers it", async () => {
    await page.goto(`${daemon.url}#/checks`);
    await page.getByRole("heading", { name: "需要 API 令牌" }).waitFor();
    expect(await page.getAttribute("html", "lang")).toBe("zh-CN");
    expect(await page.locator("[data-check-id]").count()).toBe(0);

    const field = page.getByLabel("API 令牌");
    await field.fill("not-the-token");
    await page.getByRole("button", { name: "连接" }).click();
    await page.getByText("守护进程拒绝了已保存的令牌").waitFor();

    await field.fill(token);
    await page.getByRole("button", { name: "连接" }).click();
    await page.locator('[data-connection="live"]').waitFor();
    await page.locator("[data-check-id]").first().waitFor();
    expect(await page.evaluate(() => localStorage.getItem("autostun.token"))).toBe(token);

    await page.reload();
    await page.locator("[data-check-id]").first().waitFor();
    expect(await page.getByLabel("API 令牌").count()).toBe(0);
  });
});

describe("the console URL a daemon prints on a terminal", () => {
  let daemon: RunningDaemon & { dataDir: string };
  let browser: TestBrowser;

  beforeAll(async () => {
    ensureConsoleBuilt();
    // No api.token: the daemon makes its own in dataDir, as on a first start.
    daemon = await startDaemon();
    browser = await launchBrowser({ locale: "en-US", timeoutMs: 15_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
    if (daemon) await rm(daemon.dataDir, { recursive: true, force: true });
  });

  it("opens signed in from /#token=…, without the prompt, and takes the token out of the address", async () => {
    const { page } = browser;
    await page.goto(`${daemon.url}#token=${encodeURIComponent(daemon.token)}`);
    await page.locator('[data-connection="live"]').waitFor();
    await page.locator("[data-check-id], .wizard, [data-tunnel-id], main").first().waitFor();
    expect(await page.getByLabel("API token").count()).toBe(0);
    expect(page.url()).not.toContain(daemon.token);
    expect(page.url()).not.toContain("token=");
    expect(await page.evaluate(() => localStorage.getItem("autostun.token"))).toBe(daemon.token);
  });
});
