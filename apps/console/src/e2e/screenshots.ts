import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { REPO_ROOT } from "./daemon.js";

/** Where the browser tests leave a picture of every page (gitignored; named in docs/console.md). */
export const SCREENSHOT_DIR = join(REPO_ROOT, "apps/console/screenshots");

/** A page of the console and what shows that it has drawn its data. */
export interface ShotPage {
  route: string;
  ready: string;
  /** Extra wait after `ready`, for pages whose figures fill in over time; not an assertion. */
  settleMs?: number;
}

const LOCALES = ["en", "zh-CN"] as const;
const SCHEMES = ["light", "dark"] as const;

/**
 * Saves `<route>-<locale>-<scheme>.png` for every page, in English and Chinese, light and dark. The
 * language is switched the way a returning user has it (the stored choice), the colour scheme by
 * emulating the system setting the console follows. Returns the files written.
 */
export async function screenshotEveryPage(
  page: Page,
  consoleUrl: string,
  pages: readonly ShotPage[],
  width = 1100,
): Promise<string[]> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const written: string[] = [];
  await page.setViewportSize({ width, height: 900 });
  for (const locale of LOCALES) {
    await page.evaluate((value) => localStorage.setItem("autostun.locale", value), locale);
    await page.reload();
    await page.waitForFunction((value) => document.documentElement.lang === value, locale);
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const shot of pages) {
        await page.goto(`${consoleUrl}#/${shot.route}`);
        await page.locator(shot.ready).first().waitFor();
        // Let live figures (throughput sampled every 2 s) fill in before the picture.
        await page.waitForTimeout(shot.settleMs ?? 0);
        await page.evaluate(() => document.fonts.ready.then(() => undefined));
        const file = join(SCREENSHOT_DIR, `${shot.route}-${locale}-${scheme}.png`);
        await page.screenshot({ path: file, fullPage: true });
        written.push(file);
      }
    }
  }
  await page.emulateMedia({ colorScheme: null });
  return written;
}
