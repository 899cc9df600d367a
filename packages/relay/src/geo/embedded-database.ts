import { createRequire } from "node:module";

/**
 * Path of the country database shipped as an npm dependency (ip-location-db's geo-whois-asn-country,
 * built from RIR WHOIS and geofeed data; CC BY 4.0, attribution to the NRO — see docs/graphql-api.md), or
 * undefined when that package is not installed, so GeoIP degrades to "unknown" instead of failing.
 */
export function embeddedCountryDatabase(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve(
      "@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb",
    );
  } catch {
    return undefined;
  }
}

export const EMBEDDED_ATTRIBUTION =
  "Country data: ip-location-db geo-whois-asn-country (sapics), from RIR data licensed CC BY 4.0 by the NRO (nro.net).";
