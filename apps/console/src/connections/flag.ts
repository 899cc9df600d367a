/** Offset from `A` to the regional indicator symbol `🇦`; two of them render as a flag. */
const REGIONAL_A = 0x1f1e6;

/**
 * The flag emoji of an ISO 3166-1 alpha-2 code ("DE" → 🇩🇪), or an empty string for anything that is
 * not two Latin letters: GeoIP data also knows codes like "EU" or nothing at all, and a wrong flag is
 * worse than none.
 */
export function flagOf(countryCode: string | null | undefined): string {
  if (!countryCode || !/^[A-Za-z]{2}$/.test(countryCode)) return "";
  const upper = countryCode.toUpperCase();
  return String.fromCodePoint(
    REGIONAL_A + (upper.charCodeAt(0) - 65),
    REGIONAL_A + (upper.charCodeAt(1) - 65),
  );
}

/** The country's name in the interface language, or the code itself where the browser has no name. */
export function countryName(countryCode: string, locale: string): string {
  try {
    return new Intl.DisplayNames([locale], { type: "region" }).of(countryCode.toUpperCase()) ?? countryCode;
  } catch {
    return countryCode;
  }
}
