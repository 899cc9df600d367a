import { parseIp } from "@autostun/ip";
import { describe, expect, test } from "vitest";
import { NftablesForwarding } from "./nftables-forwarding.js";
import { NftablesTable } from "./nftables-table.js";
import { recordingNft } from "./testing/recording-nft.js";

describe("forward: nftables follows the port the downloader was told", () => {
  test("retarget reloads the DNAT to the same host on the new port, and before start only remembers it", async () => {
    const runner = recordingNft();
    const nft = new NftablesForwarding({
      tunnelId: "qb",
      to: {
        target: {
          tunnelId: "qb",
          text: "127.0.0.1:6881",
          host: "127.0.0.1",
          port: 6881,
          ip: parseIp("127.0.0.1")!,
          scope: "loopback",
        },
      },
      table: new NftablesTable(runner),
      runner,
      platform: "linux",
      localAddresses: () => [],
    });
    await nft.retarget(40_123);
    expect(runner.scripts).toEqual([]);
    await nft.start(40_000);
    expect(runner.scripts.at(-1)).toMatch(/dnat ip to 127\.0\.0\.1:40123/);
    expect(runner.scripts.at(-1)).not.toMatch(/127\.0\.0\.1:6881/);

    const loads = runner.scripts.length;
    await nft.retarget(40_456);
    expect(runner.scripts.length).toBe(loads + 1);
    expect(runner.scripts.at(-1)).toMatch(/dnat ip to 127\.0\.0\.1:40456/);
    // The same port again changes nothing, so a re-push of an unchanged port costs no reload.
    await nft.retarget(40_456);
    expect(runner.scripts.length).toBe(loads + 1);
  });
});
