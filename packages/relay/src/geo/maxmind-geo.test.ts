import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeMmdb } from "../testing/mmdb-writer.js";
import { MaxmindGeo } from "./maxmind-geo.js";

// Documentation ranges (RFC 5737), so nothing here pretends to know a real network.
const city = writeMmdb("GeoLite2-City", [
  {
    network: "192.0.2.0",
    prefix: 24,
    data: { country: { iso_code: "DE" }, city: { names: { en: "Berlin", de: "Berlin" } } },
  },
]);
const asn = writeMmdb("GeoLite2-ASN", [
  {
    network: "192.0.2.0",
    prefix: 25,
    data: { autonomous_system_number: 64500, autonomous_system_organization: "Example" },
  },
  {
    network: "198.51.100.0",
    prefix: 24,
    data: { autonomous_system_number: 64501, autonomous_system_organization: "Other" },
  },
]);

describe("MaxmindGeo", () => {
  it("answers the country of a public address from the embedded database", async () => {
    const geo = await MaxmindGeo.open();
    expect(geo.lookup("8.8.8.8")).toMatchObject({ country: "US", city: null, asn: null });
    // The same peer seen through a dual-stack listener.
    expect(geo.lookup("::ffff:8.8.8.8")?.country).toBe("US");
    expect(geo.lookup("127.0.0.1")).toBeNull();
  });

  it("reads country, city and ASN from user-supplied City and ASN files", async () => {
    const dir = await mkdtemp(join(tmpdir(), "relay-geo-"));
    await writeFile(join(dir, "city.mmdb"), city);
    await writeFile(join(dir, "asn.mmdb"), asn);
    const geo = await MaxmindGeo.open({
      city: join(dir, "city.mmdb"),
      asn: join(dir, "asn.mmdb"),
      country: null,
    });
    expect(geo.lookup("192.0.2.10")).toEqual({ country: "DE", city: "Berlin", asn: 64500 });
    expect(geo.lookup("192.0.2.200")).toEqual({ country: "DE", city: "Berlin", asn: null });
    expect(geo.lookup("198.51.100.1")).toEqual({ country: null, city: null, asn: 64501 });
    expect(geo.lookup("203.0.113.1")).toBeNull();
  });

  it("names the key and the path when a user-supplied database cannot be opened", async () => {
    await expect(MaxmindGeo.open({ asn: "/nonexistent/GeoLite2-ASN.mmdb" })).rejects.toThrow(
      /geoip\.asn: cannot open "\/nonexistent\/GeoLite2-ASN\.mmdb"/,
    );
  });
});
