import { tableScript } from "@autostun/netfilter";
import type { CommandRunner } from "@autostun/plugins-api";
import { describe, expect, test } from "vitest";
import { BanList } from "../bans/ban-list.js";
import { NftablesForwarding } from "./nftables-forwarding.js";
import { NftablesTable } from "./nftables-table.js";
import { tunnelObjectNames } from "./object-names.js";
import { type TunnelRulesInput, tunnelRules } from "./tunnel-rules.js";

const TABLE = { family: "inet", name: "autostun" } as const;
const TCP6 = 'iifname != "lo" meta nfproto ipv6 fib daddr type local tcp dport 6881';
const UDP6 = 'iifname != "lo" meta nfproto ipv6 fib daddr type local udp dport 6881';
const P = "t_qb_22d1fb";

function script(extra: Partial<TunnelRulesInput>): string {
  const parts = tunnelRules({
    names: tunnelObjectNames("qb"),
    port: 40_000,
    maxPerIp: 8,
    destination: { kind: "dnat", ip: "127.0.0.1", port: 6881 },
    banElements: ["10.9.0.0/16"],
    hostBanElements: ["203.0.113.7"],
    counts: new Map(),
    ...extra,
  });
  return tableScript({ table: TABLE, ...parts });
}

const guard = { port: 6881, banElements: ["2001:db8:1::/48"], hostBanElements: ["2a0b::7"] };

describe("the per-/64 limit on IPv6 inbound to the downloader's port", () => {
  test("keys a dynamic set by the source's /64, with the IPv4 limits' values and counters of its own", () => {
    const text = script({ ipv6: { ...guard, maxPerPrefix: { tcp: 8, udp: 32 } } });
    expect(text).toContain(`set ${P}_peers6 { type ipv6_addr; flags dynamic; }`);
    expect(text).toContain(`set ${P}_upeers6 { type ipv6_addr; flags dynamic; }`);
    expect(text).toContain(
      `${TCP6} ct state new add @${P}_peers6 { ip6 saddr and ffff:ffff:ffff:ffff:: ct count over 8 } counter name "${P}_lim6" reject with tcp reset`,
    );
    expect(text).toContain(
      `${UDP6} ct state new add @${P}_upeers6 { ip6 saddr and ffff:ffff:ffff:ffff:: ct count over 32 } counter name "${P}_ulim6" drop`,
    );
    expect(text).toContain(`counter ${P}_lim6`);
    expect(text).toContain(`counter ${P}_ulim6`);
    // The IPv4 limit stays keyed by the whole address.
    expect(text).toContain(`add @${P}_peers { ip saddr ct count over 8 }`);
  });

  test("no limit is loaded without a guard or without values, and bad values are refused by name", () => {
    expect(script({})).not.toContain("peers6");
    expect(script({ ipv6: guard })).not.toContain("peers6");
    expect(() => script({ ipv6: { ...guard, maxPerPrefix: { tcp: 0, udp: 32 } } })).toThrow(
      "the per-address connection limit must be 1-65535, not 0",
    );
  });
});

describe("the IPv6-only guard", () => {
  test("carries nothing of IPv4: no IPv4 set, match, NAT chain or byte counter", () => {
    const text = script({ ipv6Only: true, ipv6: { ...guard, maxPerPrefix: { tcp: 8, udp: 32 } } });
    expect(text).not.toMatch(/ipv4|ip saddr|ip daddr|dnat|redirect|_nat|_peers\b|_in\b|_out\b/);
    expect(text).not.toContain(`set ${P}_ban {`);
    expect(text).toContain(`set ${P}_banh6 { type ipv6_addr; flags timeout; elements = { 2a0b::7 }; }`);
    // UDP drops count apart from TCP's, as on a tunnel with a UDP side.
    expect(text).toContain(
      `${UDP6} ip6 saddr @${P}_banh6 ct direction original ct state new counter name "${P}_ublocked" drop`,
    );
    expect(text).toContain(
      `${TCP6} ip6 saddr @${P}_ban6 ct direction original ct state new counter name "${P}_blocked" reject with tcp reset`,
    );
    expect(text).toContain(`chain ${P}_limit6`);
  });

  test("refuses to be built without the downloader's port", () => {
    expect(() => script({ ipv6Only: true })).toThrow("an IPv6-only guard needs the downloader's IPv6 port");
  });
});

function recordingRunner(counters: Record<string, number> = {}) {
  const calls: { line: string; input: string }[] = [];
  let loaded = false;
  const runner: CommandRunner = {
    async run(file, args, options) {
      calls.push({ line: [file, ...args].join(" "), input: String(options?.input ?? "") });
      if (file === "nft" && args.join(" ") === "-f -") loaded = true;
      if (file === "nft" && args.includes("list")) {
        if (!loaded) return { exitCode: 1, stdout: "", stderr: "Error: No such file or directory" };
        const nftables = Object.entries(counters).map(([name, packets]) => ({
          counter: { family: "inet", table: "autostun", name, packets, bytes: packets * 60 },
        }));
        return { exitCode: 0, stdout: JSON.stringify({ nftables }), stderr: "" };
      }
      return { exitCode: 0, stdout: "", stderr: "" };
    },
  };
  return { runner, calls };
}

function table(runner: CommandRunner) {
  return new NftablesTable(runner, undefined, TABLE, { checkIntervalMs: 0, interfaces: async () => [] });
}

describe("NftablesForwarding as an IPv6-only guard", () => {
  test("loads the guard at the downloader's port, follows it, mirrors IPv6 bans only", async () => {
    const { runner, calls } = recordingRunner();
    const bans = new BanList();
    await bans.ban({ cidr: "2001:db8::/48" });
    await bans.ban({ cidr: "198.51.100.0/24" });
    const nft = new NftablesForwarding({
      tunnelId: "qb",
      to: { downloaderPort: 6881 },
      table: table(runner),
      runner,
      bans,
      platform: "linux",
    });
    await nft.guardPort(6881);
    const loads = () => calls.filter((c) => c.line === "nft -f -").map((c) => c.input);
    expect(loads()[0]).toContain(
      `set ${P}_ban6 { type ipv6_addr; flags interval,timeout; elements = { 2001:db8::/48 }; }`,
    );
    expect(loads()[0]).not.toContain("198.51.100.0");
    expect(loads()[0]).toContain("ct count over 8 }");

    calls.length = 0;
    await bans.ban({ cidr: "203.0.113.9" });
    expect(calls).toEqual([]);
    await bans.ban({ cidr: "2a0b::7" });
    expect(loads()).toEqual([`add element inet autostun ${P}_banh6 { 2a0b::7 }\n`]);

    await nft.guardPort(41_234);
    expect(loads().at(-1)).toContain("meta nfproto ipv6 fib daddr type local tcp dport 41234");
    expect(loads().at(-1)).not.toContain("dport 6881");
    await nft.stop();
    bans.dispose();
  });

  test("the per-/64 limit's refusals count as blocked, UDP's in UDP's share", async () => {
    const { runner } = recordingRunner({
      [`${P}_blocked`]: 2,
      [`${P}_ublocked`]: 1,
      [`${P}_lim6`]: 5,
      [`${P}_ulim6`]: 3,
    });
    const nft = new NftablesForwarding({
      tunnelId: "qb",
      to: { downloaderPort: 6881 },
      table: table(runner),
      runner,
      platform: "linux",
    });
    await nft.guardPort(6881);
    expect(await nft.blockedCounts()).toEqual({ tcp: 7, udp: 4 });
    await nft.stop();
  });
});
