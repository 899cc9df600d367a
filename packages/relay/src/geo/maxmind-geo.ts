import { readFile } from "node:fs/promises";
import { formatIp, parseIp } from "@autostun/ip";
import type { Logger } from "@autostun/plugins-api";
import { Reader } from "maxmind";
import type { GeoInfo } from "../connections/connection-record.js";
import { embeddedCountryDatabase } from "./embedded-database.js";
import type { GeoLookup } from "./geo-lookup.js";
import { asnOf, cityOf, countryOf, isEmpty } from "./mmdb-shapes.js";

export interface GeoDatabasePaths {
  /** A GeoLite2-City (or GeoIP2-City / -Country) file; gives country and city. */
  city?: string | null;
  /** A GeoLite2-ASN file. */
  asn?: string | null;
  /** The country fallback; defaults to the embedded database. `null` turns it off. */
  country?: string | null;
}

export interface MaxmindGeoOptions extends GeoDatabasePaths {
  logger?: Logger;
  /** Addresses remembered; peers reconnect often, and a hit is a map read instead of a tree walk. */
  cacheSize?: number;
}

/**
 * GeoIP over MaxMind-format databases, loaded fully into memory at start so a lookup is a pure
 * in-memory tree walk that never touches the disk on the accept path.
 */
export class MaxmindGeo implements GeoLookup {
  private readonly cache = new Map<string, GeoInfo | null>();
  private readonly cacheSize: number;

  private constructor(
    private readonly city: Reader<never> | undefined,
    private readonly asn: Reader<never> | undefined,
    private readonly country: Reader<never> | undefined,
    cacheSize: number,
  ) {
    this.cacheSize = cacheSize;
  }

  /**
   * Opens the databases. A user-supplied path that cannot be read is an error (the user asked for it);
   * a missing embedded database only logs, since the relay works without GeoIP.
   */
  static async open(options: MaxmindGeoOptions = {}): Promise<MaxmindGeo> {
    const open = async (path: string, key: string) => {
      try {
        return new Reader<never>(await readFile(path));
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        throw new Error(
          `geoip.${key}: cannot open "${path}" as a MaxMind database (${why}); fix the path or remove the key`,
        );
      }
    };
    const city = options.city ? await open(options.city, "city") : undefined;
    const asn = options.asn ? await open(options.asn, "asn") : undefined;
    let country: Reader<never> | undefined;
    const countryPath = options.country === undefined ? embeddedCountryDatabase() : options.country;
    if (countryPath) {
      country = await open(countryPath, "country");
    } else if (options.country === undefined) {
      options.logger?.warn("embedded GeoIP country database is not installed; countries stay unknown", {});
    }
    return new MaxmindGeo(city, asn, country, options.cacheSize ?? 4096);
  }

  /** Wraps readers over in-memory databases, e.g. ones a test built. */
  static fromBuffers(
    buffers: { city?: Buffer; asn?: Buffer; country?: Buffer },
    cacheSize = 4096,
  ): MaxmindGeo {
    const reader = (b?: Buffer) => (b ? new Reader<never>(b) : undefined);
    return new MaxmindGeo(reader(buffers.city), reader(buffers.asn), reader(buffers.country), cacheSize);
  }

  lookup(address: string): GeoInfo | null {
    const parsed = parseIp(address);
    if (!parsed) return null;
    // One spelling per address: an IPv4 peer seen through a dual-stack listener is ::ffff:a.b.c.d.
    const ip = formatIp(parsed);
    if (this.cache.has(ip)) {
      const hit = this.cache.get(ip) ?? null;
      // Re-insert so the Map's order doubles as least-recently-used order.
      this.cache.delete(ip);
      this.cache.set(ip, hit);
      return hit;
    }
    const found = this.read(ip);
    this.cache.set(ip, found);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
    return found;
  }

  private read(ip: string): GeoInfo | null {
    try {
      const cityRecord = this.city?.get(ip) ?? null;
      const geo: GeoInfo = {
        country: countryOf(cityRecord) ?? countryOf(this.country?.get(ip) ?? null),
        city: cityOf(cityRecord),
        asn: asnOf(this.asn?.get(ip) ?? null),
      };
      return isEmpty(geo) ? null : geo;
    } catch {
      // Not an address the databases can hold (a zone id, garbage): unknown, like a miss.
      return null;
    }
  }
}
