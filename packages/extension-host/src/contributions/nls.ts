import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { LocalizedText } from "@autostun/plugins-api";

/** Turns `%key%` manifest strings into text in every locale the plugin ships. */
export type ManifestLocalizer = (value: string) => LocalizedText;

const NLS_FILE = /^package\.nls(?:\.([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})?))?\.json$/;

/** `zh-cn` (VS Code's file naming) -> `zh-CN` (the locale tag we use everywhere else). */
function canonicalLocale(tag: string): string {
  const [language, region] = tag.split("-");
  return region ? `${language?.toLowerCase()}-${region.toUpperCase()}` : (language ?? tag).toLowerCase();
}

/**
 * Reads a plugin's `package.nls.json` (English) and `package.nls.<locale>.json` files, VS Code style, so
 * manifest titles can be translated without running plugin code. Unreadable files are reported in
 * `problems` and otherwise ignored: a missing translation falls back to the English text.
 */
export function loadManifestLocalizer(dir: string): { localize: ManifestLocalizer; problems: string[] } {
  const tables = new Map<string, Record<string, string>>();
  const problems: string[] = [];
  const files = existsSync(dir) ? readdirSync(dir).filter((name) => NLS_FILE.test(name)) : [];
  for (const name of files) {
    const locale = canonicalLocale(NLS_FILE.exec(name)?.[1] ?? "en");
    try {
      const table = JSON.parse(readFileSync(join(dir, name), "utf8")) as unknown;
      if (typeof table !== "object" || table === null || Array.isArray(table))
        throw new Error("not an object");
      tables.set(
        locale,
        Object.fromEntries(Object.entries(table).filter(([, v]) => typeof v === "string")) as Record<
          string,
          string
        >,
      );
    } catch (error) {
      problems.push(`${join(dir, name)}: ${(error as Error).message}`);
    }
  }
  const localize: ManifestLocalizer = (value) => {
    const key = /^%([^%]+)%$/.exec(value)?.[1];
    if (!key) return value;
    const english = tables.get("en")?.[key] ?? value;
    const out: { en: string; [locale: string]: string } = { en: english };
    for (const [locale, table] of tables) if (locale !== "en" && table[key]) out[locale] = table[key];
    return out;
  };
  return { localize, problems };
}
