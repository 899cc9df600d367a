import { parseIp } from "@autostun/ip";
import { tableScript } from "@autostun/netfilter";
import type { CommandRunner } from "@autostun/plugins-api";
import { describe, expect, test } from "vitest";
import { BanList } from "../bans/ban-list.js";
import { NftablesForwarding } from "./nftables-forwarding.js";
import { NftablesTable } from "./nftables-table.js";
import { tunnelObjectNames } from "./object-names.js";
import { type TunnelRulesInput, tunnelRules } from "./tunnel-rules.js";

const TABLE = { family: "inet", name: "autostun" } as const;

function script(extra: Partial<TunnelRulesInput> = {}): string {
  const parts = tunnelRules({
    names: tunnelObjectNames("qb"),
    port: 40_000,
    maxPerIp: 8,
    destination: { kind: "dnat", ip: "127.0.0.1", port: 6881 },
    banElements: ["10.9.0.0/16"],
    hostBanElements: ["203.0.113.7"],
    counts: new Map([["t_qb_22d1fb_handled", { packets: 5, bytes: 300 }]]),
    ...extra,
  });
  return tableScript({ table: TABLE, ...parts });
}

// Written by the TCP-only code before UDP forwarding existed; a tunnel without a UDP port must keep it.
const TCP_ONLY = `add table inet autostun
delete table inet autostun
table inet autostun {
  counter t_qb_22d1fb_handled { packets 5 bytes 300 }
  counter t_qb_22d1fb_blocked { }
  counter t_qb_22d1fb_in { }
  counter t_qb_22d1fb_out { }
  set t_qb_22d1fb_ban { type ipv4_addr; flags interval,timeout; elements = { 10.9.0.0/16 }; }
  set t_qb_22d1fb_banh { type ipv4_addr; flags timeout; elements = { 203.0.113.7 }; }
  set t_qb_22d1fb_peers { type ipv4_addr; flags dynamic; }
  chain t_qb_22d1fb_filter { type filter hook prerouting priority -150; policy accept;
    iifname != "lo" meta nfproto ipv4 fib daddr type local tcp dport 40000 ip saddr @t_qb_22d1fb_ban ct direction original ct state new counter name "t_qb_22d1fb_blocked" reject with tcp reset
    iifname != "lo" meta nfproto ipv4 fib daddr type local tcp dport 40000 ip saddr @t_qb_22d1fb_ban ct direction original reject with tcp reset
    iifname != "lo" meta nfproto ipv4 fib daddr type local tcp dport 40000 ip saddr @t_qb_22d1fb_banh ct direction original ct state new counter name "t_qb_22d1fb_blocked" reject with tcp reset
    iifname != "lo" meta nfproto ipv4 fib daddr type local tcp dport 40000 ip saddr @t_qb_22d1fb_banh ct direction original reject with tcp reset
  }
  chain t_qb_22d1fb_nat { type nat hook prerouting priority dstnat; policy accept;
    iifname != "lo" meta nfproto ipv4 fib daddr type local tcp dport 40000 counter name "t_qb_22d1fb_handled" dnat ip to 127.0.0.1:6881
  }
  chain t_qb_22d1fb_bytes_in { type filter hook prerouting priority -90; policy accept;
    ct direction original meta l4proto tcp ct status dnat ct original proto-dst 40000 counter name "t_qb_22d1fb_in"
  }
  chain t_qb_22d1fb_bytes_out { type filter hook postrouting priority 200; policy accept;
    ct direction reply meta l4proto tcp ct status dnat ct original proto-dst 40000 counter name "t_qb_22d1fb_out"
  }
  chain t_qb_22d1fb_limit { type filter hook prerouting priority -149; policy accept;
    iifname != "lo" meta nfproto ipv4 fib daddr type local tcp dport 40000 ct state new add @t_qb_22d1fb_peers { ip saddr ct count over 8 } counter name "t_qb_22d1fb_blocked" reject with tcp reset
  }
}
`;

describe("nftables rules of a tunnel with and without UDP", () => {
  test("without a UDP local port the table is byte for byte what a TCP-only tunnel always loaded", () => {
    expect(script()).toBe(TCP_ONLY);
    expect(script({ udpLocalPort: undefined, udpMaxPerIp: 4 })).toBe(TCP_ONLY);
  });

  test("with one, inbound UDP on it is DNATed to the same target, banned sources dropped, flows limited per address", () => {
    const text = script({ udpLocalPort: 40_001, udpMaxPerIp: 4 });
    const lines = text.split("\n").map((line) => line.trim());
    // Every TCP line is still there, unchanged.
    for (const line of TCP_ONLY.split("\n").map((l) => l.trim())) expect(lines).toContain(line);
    const udp = 'iifname != "lo" meta nfproto ipv4 fib daddr type local udp dport 40001';
    expect(lines).toContain(`${udp} counter name "t_qb_22d1fb_uhandled" dnat ip to 127.0.0.1:6881`);
    for (const set of ["t_qb_22d1fb_ban", "t_qb_22d1fb_banh"]) {
      // Original direction only: STUN answers to the mapping socket are replies and never match.
      expect(lines).toContain(
        `${udp} ip saddr @${set} ct direction original ct state new counter name "t_qb_22d1fb_ublocked" drop`,
      );
      expect(lines).toContain(`${udp} ip saddr @${set} ct direction original drop`);
    }
    expect(lines).toContain(
      `${udp} ct state new add @t_qb_22d1fb_upeers { ip saddr ct count over 4 } counter name "t_qb_22d1fb_ublocked" drop`,
    );
    expect(lines).toContain("set t_qb_22d1fb_upeers { type ipv4_addr; flags dynamic; }");
    expect(lines).toContain(
      'ct direction original meta l4proto udp ct status dnat ct original proto-dst 40001 counter name "t_qb_22d1fb_uin"',
    );
    expect(lines).toContain(
      'ct direction reply meta l4proto udp ct status dnat ct original proto-dst 40001 counter name "t_qb_22d1fb_uout"',
    );
  });

  test("on a port-preserving gateway the mapping socket leaves as the public port, and a relay redirect sends peers' new flows to that socket", () => {
    const text = script({
      udpLocalPort: 40_000,
      udpSnatFrom: 50_123,
      destination: { kind: "redirect", port: 45_000 },
      maxPerIp: undefined,
    });
    const lines = text.split("\n").map((line) => line.trim());
    // The mapping's STUN packets come out with the port the downloader announces (the gateway keeps it).
    expect(lines).toContain('oifname != "lo" meta l4proto udp udp sport 50123 masquerade to :40000');
    expect(text).toMatch(/chain t_qb_22d1fb_usnat \{\s*type nat hook postrouting priority srcnat;/);
    // TCP goes to the relay listener, UDP peers to the mapping socket, not to the TCP relay port.
    const udp = 'iifname != "lo" meta nfproto ipv4 fib daddr type local udp dport 40000';
    expect(lines).toContain(`${udp} counter name "t_qb_22d1fb_uhandled" redirect to :50123`);
    expect(lines.some((l) => l.includes("tcp dport 40000") && l.endsWith("redirect to :45000"))).toBe(true);
    expect(script({ udpLocalPort: 40_001 })).not.toContain("masquerade");
  });

  test("a UDP port or limit out of range is refused with what was wrong", () => {
    expect(() => script({ udpLocalPort: 70_000 })).toThrow(
      /the inbound UDP port must be a port 1-65535, not 70000/,
    );
    expect(() => script({ udpLocalPort: 40_001, udpMaxPerIp: 0 })).toThrow(
      /the per-address UDP flow limit must be 1-65535, not 0/,
    );
  });
});

/** Records every command and answers as a root host would; conntrack reports one deleted flow. */
function recordingRunner() {
  const calls: { line: string; input: string }[] = [];
  const runner: CommandRunner = {
    async run(file, args, options) {
      calls.push({ line: [file, ...args].join(" "), input: String(options?.input ?? "") });
      if (file === "sysctl") return { exitCode: 0, stdout: "1\n", stderr: "" };
      if (file === "nft" && args.includes("list"))
        return { exitCode: 1, stdout: "", stderr: "Error: No such file or directory" };
      if (file === "conntrack" && args[0] === "-D")
        return {
          exitCode: 0,
          stdout: "udp 17 110 src=203.0.113.7 dst=192.168.1.10 sport=6881 dport=40001 …\n",
          stderr: "conntrack v1.4.7 (conntrack-tools): 1 flow entries have been deleted.\n",
        };
      return { exitCode: 0, stdout: "", stderr: "" };
    },
  };
  return { runner, calls };
}

function forwarding(runner: CommandRunner, bans: BanList, udpLocalPort?: number) {
  return new NftablesForwarding({
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
    table: new NftablesTable(runner, undefined, TABLE, { checkIntervalMs: 0, interfaces: async () => [] }),
    runner,
    bans,
    platform: "linux",
    localAddresses: () => [],
    ...(udpLocalPort === undefined ? {} : { udpLocalPort }),
  });
}

describe("NftablesForwarding with a UDP local port", () => {
  test("a ban deletes the peer's live UDP conntrack entries on that port, and only with UDP on", async () => {
    for (const udp of [40_001, undefined]) {
      const { runner, calls } = recordingRunner();
      const bans = new BanList();
      const nft = forwarding(runner, bans, udp);
      await nft.start(40_000);
      const loaded = calls.find((c) => c.line === "nft -f -")!.input;
      expect(loaded.includes("udp dport 40001")).toBe(udp !== undefined);
      await bans.ban({ cidr: "203.0.113.7", reason: "leech" });
      const deletes = calls.filter((c) => c.line.startsWith("conntrack -D"));
      if (udp === undefined) expect(deletes).toEqual([]);
      else {
        expect(deletes.map((c) => c.line)).toEqual([
          "conntrack -D -p udp -s 203.0.113.7/32 --orig-port-dst 40001",
        ]);
        expect(nft.udpBanRuns.conntrack).toBe(1);
      }
      await nft.stop();
      bans.dispose();
    }
  });

  test("setUdpLocalPort reloads loaded rules once, and not again for the same port", async () => {
    const { runner, calls } = recordingRunner();
    const bans = new BanList();
    const nft = forwarding(runner, bans);
    await nft.setUdpLocalPort(40_001); // nothing loaded yet: the start carries it
    expect(calls.filter((c) => c.line === "nft -f -")).toHaveLength(0);
    await nft.start(40_000);
    await nft.setUdpLocalPort(40_001);
    const loads = () => calls.filter((c) => c.line === "nft -f -").map((c) => c.input);
    expect(loads()).toHaveLength(1);
    expect(loads()[0]).toContain("udp dport 40001");
    await nft.setUdpLocalPort(undefined);
    expect(loads()).toHaveLength(2);
    expect(loads()[1]).not.toContain("udp dport");
    await nft.stop();
    bans.dispose();
  });
});
