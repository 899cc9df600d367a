import type { GeoInfo } from "../connections/connection-record.js";

/**
 * Fields read from the databases we accept. GeoLite2/GeoIP2 nest `country.iso_code` and
 * `city.names.en`; the ip-location-db country files hold a flat `country_code`; the ASN ones use
 * `autonomous_system_number` like GeoLite2-ASN.
 */
interface AnyGeoRecord {
  country?: { iso_code?: string };
  registered_country?: { iso_code?: string };
  country_code?: string;
  city?: { names?: Record<string, string> };
  autonomous_system_number?: number;
}

export function countryOf(record: unknown): string | null {
  const r = record as AnyGeoRecord | null;
  return r?.country?.iso_code ?? r?.country_code ?? r?.registered_country?.iso_code ?? null;
}

export function cityOf(record: unknown): string | null {
  const names = (record as AnyGeoRecord | null)?.city?.names;
  return names?.en ?? (names ? (Object.values(names)[0] ?? null) : null);
}

export function asnOf(record: unknown): number | null {
  const asn = (record as AnyGeoRecord | null)?.autonomous_system_number;
  return typeof asn === "number" ? asn : null;
}

export function isEmpty(geo: GeoInfo): boolean {
  return geo.country === null && geo.city === null && geo.asn === null;
}
