import { describe, expect, test } from "vitest";
import { parsePinholeRules } from "./home-router.js";

// What `nft --debug=netlink list chain inet filter miniupnpd` printed in the lab after miniupnpd 2.3.1
// renewed pinhole 1 (its description gone) and had just added pinhole 2.
const LISTING = `inet filter miniupnpd 17
  [ meta load iif => reg 1 ]
  [ payload load 16b @ network header + 24 => reg 1 ]
  [ cmp eq reg 1 0x77880b2a 0x00007700 0x00000000 0x02000000 ]
  [ immediate reg 0 accept ]
  userdata = { pinhole-1 ts-10838:  }
inet filter miniupnpd 18 17
  [ meta load iif => reg 1 ]
  [ immediate reg 0 accept ]
  userdata = { pinhole-2 ts-10835: IGD2 pinhole }
table inet filter {
	chain miniupnpd {
		iif "wan0" th dport 41611 @nh,192,128 0x2a0b8877007700000000000000000002 @nh,48,8 0x6 accept
		iif "wan0" th dport 41611 @nh,192,128 0x2a0b8877007700000000000000000002 @nh,48,8 0x11 accept
	}
}
`;

describe("miniupnpd's pinhole rules", () => {
  test("each rule with its address, transport, port, UniqueID and lease end from its label", () => {
    const boot = Date.UTC(2026, 11, 8, 0, 0, 0);
    expect(parsePinholeRules(LISTING, boot)).toEqual([
      expect.objectContaining({
        address: "2a0b:8877:77::2",
        transport: "TCP",
        port: 41611,
        id: 1,
        leaseEndsAt: new Date(boot + 10_838_000),
        description: "",
      }),
      expect.objectContaining({ transport: "UDP", id: 2, description: "IGD2 pinhole" }),
    ]);
  });

  test("a chain without pinholes lists none", () => {
    expect(parsePinholeRules("table inet filter {\n\tchain miniupnpd {\n\t}\n}\n", 0)).toEqual([]);
  });
});
