import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's chromium; tests never download a browser. */
const CHROMIUM = "/usr/bin/chromium";

// Keep the browser from reaching anything but the daemon under test.
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface BrowserOptions {
  /**
   * A network namespace to run chromium in, e.g. a lab's LAN, where the daemon's loopback API is.
   * Absent: the machine's own network (tests then talk only to a daemon on loopback).
   */
  namespace?: string;
  /** The browser's language, which the console starts in. */
  locale?: string;
  viewport?: { width: number; height: number };
  colorScheme?: "light" | "dark";
  /** How long a page action waits, so a failure names what never appeared before the test times out. */
  timeoutMs?: number;
  /**
   * The daemon's API token, put where the console keeps one before any page runs, so the pages open
   * signed in (as after opening the URL the daemon prints on a terminal). Absent: the console asks.
   */
  token?: string;
}

/** A browser with a fresh profile (empty localStorage), its first page, and what that page logged. */
export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions of `page`, with when they happened. */
  errors: { at: number; text: string }[];
  close(): Promise<void>;
}

/**
 * Launches chromium with a throwaway profile. In a namespace, a two-line wrapper starts it through
 * `ip netns exec`: Playwright drives it over inherited pipes, which cross the namespace boundary
 * unchanged (there is no debugging port to reach across).
 */
export async function launchBrowser(options: BrowserOptions = {}): Promise<TestBrowser> {
  const dir = await mkdtemp(join(tmpdir(), "autostun-console-e2e-browser-"));
  let executablePath = CHROMIUM;
  if (options.namespace) {
    executablePath = join(dir, "chromium-in-namespace");
    await writeFile(executablePath, `#!/bin/sh\nexec ip netns exec ${options.namespace} ${CHROMIUM} "$@"\n`);
    await chmod(executablePath, 0o755);
  }
  const context = await chromium.launchPersistentContext(join(dir, "profile"), {
    executablePath,
    headless: true,
    args: ARGS,
    locale: options.locale ?? "en-US",
    viewport: options.viewport ?? { width: 1100, height: 900 },
    colorScheme: options.colorScheme ?? "light",
  });
  if (options.token)
    await context.addInitScript((token) => localStorage.setItem("autostun.token", token), options.token);
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(options.timeoutMs ?? 20_000);
  const errors: { at: number; text: string }[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push({ at: Date.now(), text: message.text() });
  });
  page.on("pageerror", (error) => errors.push({ at: Date.now(), text: `uncaught: ${error.message}` }));
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
