import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

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

/** A browser with a fresh profile (empty localStorage), and how to throw both away. */
export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches chromium with a throwaway profile and the given browser language. */
export async function launchBrowser(locale = "en-US"): Promise<TestBrowser> {
  const profile = await mkdtemp(join(tmpdir(), "autostun-console-e2e-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    locale,
    viewport: { width: 1100, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
