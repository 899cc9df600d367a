import type { GeoInfo } from "../connections/connection-record.js";

/** Country, city and ASN of an address where known; never throws, never does I/O per call. */
export interface GeoLookup {
  lookup(ip: string): GeoInfo | null;
}

/** For when GeoIP is switched off: every connection's geo stays null. */
export const NO_GEO: GeoLookup = { lookup: () => null };
