import { parseIp } from "@autostun/ip";
import { tableScript } from "@autostun/netfilter";
import type { CommandRunner } from "@autostun/plugins-api";
import { describe, expect, test } from "vitest";
import { BanList } from "../bans/ban-list.js";
import { banSetElements, networksOverlap } from "./ban-set-elements.js";
import { NftablesForwarding } from "./nftables-forwarding.js";
import { NftablesTable } from "./nftables-table.js";
import { tunnelObjectNames } from "./object-names.js";
import { type TunnelRulesInput, tunnelRules } from "./tunnel-rules.js";

const TABLE = { family: "inet", name: "autostun" } as const;
const TCP6 = 'iifname != "lo" meta nfproto ipv6 fib daddr type local tcp dport 6881';
const UDP6 = 'iifname != "lo" meta nfproto ipv6 fib daddr type local udp dport 6881';

function lines(extra: Partial<TunnelRulesInput> = {}): string[] {
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
  return tableScript({ table: TABLE, ...parts })
    .split("\n")
    .map((line) => line.trim());
}

describe("the IPv6 part of a tunnel's rules", () => {
  test("adds ipv6_addr sets like the IPv4 ones and refuses banned sources at the downloader's port, IPv4 lines untouched", () => {
    const without = lines();
    const withIpv6 = lines({
      ipv6: { port: 6881, banElements: ["2001:db8:1::/48 timeout 60s"], hostBanElements: ["2a0b::7"] },
    });
    for (const line of without) expect(withIpv6).toContain(line);
    expect(withIpv6).toContain(
      "set t_qb_22d1fb_ban6 { type ipv6_addr; flags interval,timeout; elements = { 2001:db8:1::/48 timeout 60s }; }",
    );
    expect(withIpv6).toContain(
      "set t_qb_22d1fb_banh6 { type ipv6_addr; flags timeout; elements = { 2a0b::7 }; }",
    );
    const added = withIpv6.filter((line) => !without.includes(line));
    const rules = added.filter((line) => line.startsWith("iifname"));
    expect(rules).toEqual(
      ["t_qb_22d1fb_ban6", "t_qb_22d1fb_banh6"].flatMap((set) => [
        `${TCP6} ip6 saddr @${set} ct direction original ct state new counter name "t_qb_22d1fb_blocked" reject with tcp reset`,
        `${TCP6} ip6 saddr @${set} ct direction original reject with tcp reset`,
        // No UDP side: its only blocked counter counts the dropped datagrams.
        `${UDP6} ip6 saddr @${set} ct direction original ct state new counter name "t_qb_22d1fb_blocked" drop`,
        `${UDP6} ip6 saddr @${set} ct direction original drop`,
      ]),
    );
    // Nothing handed on over IPv6: the downloader listens there itself.
    expect(added.some((line) => /dnat|redirect/.test(line))).toBe(false);
  });

  test("with a UDP side, IPv6 datagrams count with UDP's blocked ones; empty sets are declared without elements", () => {
    const text = lines({ udpLocalPort: 40_001, ipv6: { port: 6881, banElements: [], hostBanElements: [] } });
    expect(text).toContain("set t_qb_22d1fb_ban6 { type ipv6_addr; flags interval,timeout; }");
    expect(text).toContain(
      `${UDP6} ip6 saddr @t_qb_22d1fb_banh6 ct direction original ct state new counter name "t_qb_22d1fb_ublocked" drop`,
    );
  });
});

describe("ban-set elements of both families", () => {
  const at = new Date("2026-01-01T00:00:00Z");
  const ban = (cidr: string, expiresAt: Date | null = null) => ({
    cidr,
    reason: null,
    createdAt: at,
    expiresAt,
    source: "api",
  });

  test("IPv6 is left out unless asked for, and then a host inside a banned range is left to the range", () => {
    const bans = [ban("2001:db8::/32"), ban("2001:db8::7/128"), ban("2a0b::9/128"), ban("203.0.113.7/32")];
    expect(banSetElements(bans, at.getTime()).map((e) => e.cidr)).toEqual(["203.0.113.7/32"]);
    expect(banSetElements(bans, at.getTime(), new Set([4, 6])).map((e) => e.cidr)).toEqual([
      "2001:db8::/32",
      "2a0b::9/128",
      "203.0.113.7/32",
    ]);
    expect(banSetElements(bans, at.getTime(), new Set([6])).map((e) => e.cidr)).toEqual([
      "2001:db8::/32",
      "2a0b::9/128",
    ]);
  });

  test("an expired IPv6 ban is gone; overlap is judged within one family", () => {
    const past = new Date(at.getTime() - 1000);
    expect(banSetElements([ban("2a0b::1/128", past)], at.getTime(), new Set([6]))).toEqual([]);
    expect(networksOverlap("2001:db8::/32", "2001:db8:5::/48")).toBe(true);
    expect(networksOverlap("2001:db8::/32", "2001:db9::/32")).toBe(false);
    expect(networksOverlap("0.0.0.0/0", "::/0")).toBe(false);
  });
});

/** Records every command and answers as a root host would; conntrack reports one deleted flow. */
function recordingRunner() {
  const calls: { line: string; input: string }[] = [];
  const runner: CommandRunner = {
    async run(file, args, options) {
      calls.push({ line: [file, ...args].join(" "), input: String(options?.input ?? "") });
      if (file === "nft" && args.includes("list"))
        return { exitCode: 1, stdout: "", stderr: "Error: No such file or directory" };
      if (file === "conntrack" && args[0] === "-D")
        return {
          exitCode: 0,
          stdout: "",
          stderr: "conntrack v1.4.7 (conntrack-tools): 1 flow entries have been deleted.\n",
        };
      if (file === "ss")
        return { exitCode: 0, stdout: "ESTAB 0 0 [2a0b::2]:6881 [2a0b::7]:51000\n", stderr: "" };
      return { exitCode: 0, stdout: "", stderr: "" };
    },
  };
  return { runner, calls };
}

const loopbackTarget = {
  tunnelId: "qb",
  text: "127.0.0.1:6881",
  host: "127.0.0.1",
  port: 6881,
  ip: parseIp("127.0.0.1")!,
  scope: "loopback" as const,
};

function table(runner: CommandRunner) {
  return new NftablesTable(runner, undefined, TABLE, { checkIntervalMs: 0, interfaces: async () => [] });
}

describe("NftablesForwarding guarding a downloader's IPv6 port", () => {
  test("target mode: IPv6 bans go to the IPv6 sets at the target's port, following a retarget; a ban cuts live flows", async () => {
    const { runner, calls } = recordingRunner();
    const bans = new BanList();
    await bans.ban({ cidr: "2001:db8::/48" });
    const nft = new NftablesForwarding({
      tunnelId: "qb",
      to: { target: loopbackTarget },
      table: table(runner),
      runner,
      bans,
      guardIpv6: true,
      platform: "linux",
      localAddresses: () => [],
    });
    await nft.start(40_000);
    const loads = () => calls.filter((c) => c.line === "nft -f -").map((c) => c.input);
    expect(loads()[0]).toContain(
      "set t_qb_22d1fb_ban6 { type ipv6_addr; flags interval,timeout; elements = { 2001:db8::/48 }; }",
    );
    expect(loads()[0]).toContain(`${TCP6} ip6 saddr @t_qb_22d1fb_ban6`);

    calls.length = 0;
    await bans.ban({ cidr: "2a0b::7", ttlSeconds: 120 });
    expect(loads()).toEqual([
      expect.stringMatching(/^add element inet autostun t_qb_22d1fb_banh6 \{ 2a0b::7 timeout 120s \}\n$/),
    ]);
    expect(calls.map((c) => c.line).filter((l) => !l.startsWith("nft"))).toEqual([
      "ss -K -H -tn -6 ( dst 2a0b::7/128 ) and sport = :6881",
      "conntrack -D -f ipv6 -p tcp -s 2a0b::7/128 --orig-port-dst 6881",
      "conntrack -D -f ipv6 -p udp -s 2a0b::7/128 --orig-port-dst 6881",
    ]);
    expect((await nft.stats()).closedByBan).toBe(1);

    calls.length = 0;
    await bans.unban("2a0b::7");
    expect(loads()).toEqual([
      "add element inet autostun t_qb_22d1fb_banh6 { 2a0b::7 }\ndelete element inet autostun t_qb_22d1fb_banh6 { 2a0b::7 }\n",
    ]);

    // A wider range over a banned one: nft would refuse the overlap in one go, so the set is rewritten.
    calls.length = 0;
    await bans.ban({ cidr: "2001:db8::/32" });
    expect(loads()).toEqual([
      "flush set inet autostun t_qb_22d1fb_ban6\nadd element inet autostun t_qb_22d1fb_ban6 { 2001:db8::/32 }\n",
    ]);

    // The downloader moved to the public port: the IPv6 rules follow it.
    await nft.retarget(41_234);
    expect(loads().at(-1)).toContain("meta nfproto ipv6 fib daddr type local tcp dport 41234");
    await nft.stop();
    bans.dispose();
  });

  test("a loopback target reached at the arrival address guards the target's port, not P", async () => {
    const { runner, calls } = recordingRunner();
    const bans = new BanList();
    const nft = new NftablesForwarding({
      tunnelId: "qb",
      to: { target: loopbackTarget },
      toArrivalAddress: true,
      table: table(runner),
      runner,
      bans,
      guardIpv6: true,
      platform: "linux",
      localAddresses: () => [],
    });
    await nft.start(40_000);
    const script = calls.find((c) => c.line === "nft -f -")?.input ?? "";
    expect(script).toContain(`${TCP6} ip6 saddr @t_qb_22d1fb_banh6`);
    expect(script).not.toContain("meta nfproto ipv6 fib daddr type local tcp dport 40000");
    await nft.stop();
    bans.dispose();
  });

  test("without guardIpv6 nothing about IPv6 is loaded and an IPv6 ban runs nothing", async () => {
    const { runner, calls } = recordingRunner();
    const bans = new BanList();
    const nft = new NftablesForwarding({
      tunnelId: "qb",
      to: { target: loopbackTarget },
      table: table(runner),
      runner,
      bans,
      platform: "linux",
      localAddresses: () => [],
    });
    await nft.start(40_000);
    expect(calls.find((c) => c.line === "nft -f -")?.input).not.toMatch(/ipv6|ban6/);
    calls.length = 0;
    await bans.ban({ cidr: "2a0b::7" });
    expect(calls).toEqual([]);
    await nft.stop();
    bans.dispose();
  });

  test("relay-port path: only IPv6 bans are mirrored, guarded on P where the downloader listens", async () => {
    const { runner, calls } = recordingRunner();
    const bans = new BanList();
    await bans.ban({ cidr: "203.0.113.7" });
    await bans.ban({ cidr: "2a0b::7" });
    const nft = new NftablesForwarding({
      tunnelId: "qb",
      to: { relayPort: 45_000 },
      table: table(runner),
      runner,
      bans,
      guardIpv6: true,
      platform: "linux",
    });
    await nft.start(40_000);
    const script = calls.find((c) => c.line === "nft -f -")?.input ?? "";
    expect(script).toContain("set t_qb_22d1fb_banh { type ipv4_addr; flags timeout; }");
    expect(script).toContain(
      "set t_qb_22d1fb_banh6 { type ipv6_addr; flags timeout; elements = { 2a0b::7 }; }",
    );
    expect(script).toContain(
      'iifname != "lo" meta nfproto ipv6 fib daddr type local tcp dport 40000 ip6 saddr',
    );
    calls.length = 0;
    await bans.ban({ cidr: "198.51.100.0/24" });
    expect(calls).toEqual([]);
    await nft.stop();
    bans.dispose();
  });
});
