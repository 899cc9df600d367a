import { tunnelSchema } from "@autostun/config";
import type { CommandRunner, Logger } from "@autostun/plugins-api";
import { BanList, ConnectionTable, NftablesTable } from "@autostun/relay";
import { FakeNetwork } from "@autostun/relay/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RunningTunnel, type TunnelEnvironment } from "./running-tunnel.js";

/**
 * Which port a tunnel's rules guard over IPv6, where a downloader on this host is reached at its own
 * address: the port it was pushed (kernel forwarding), or P (the relay-port path), through a scripted
 * nft whose table counts what the kernel would have refused.
 */

const running: RunningTunnel[] = [];
afterEach(async () => {
  for (const tunnel of running.splice(0)) await tunnel.stop();
});

/** A root host's nft: every script kept; the table's counters as `blocked` says, once it is loaded. */
function countingNft(blocked: Record<string, number>) {
  const scripts: string[] = [];
  const runner: CommandRunner = {
    async run(file, args, options) {
      if (file === "nft" && args.join(" ") === "-f -") scripts.push(String(options?.input ?? ""));
      if (file === "sysctl") return { exitCode: 0, stdout: "0\n", stderr: "" };
      if (file === "nft" && args.includes("list")) {
        if (scripts.length === 0)
          return { exitCode: 1, stdout: "", stderr: "Error: No such file or directory" };
        const counters = Object.entries(blocked).map(([name, packets]) => ({
          counter: { family: "inet", table: "autostun", name, packets, bytes: packets * 60 },
        }));
        return { exitCode: 0, stdout: JSON.stringify({ nftables: counters }), stderr: "" };
      }
      return { exitCode: 0, stdout: "", stderr: "" };
    },
  };
  return { runner, scripts };
}

async function runTunnel(
  forward: "userspace" | "nftables",
  portOffset: number,
  blocked: Record<string, number> = {},
) {
  const network = new FakeNetwork();
  network.portOffset = portOffset;
  const { runner, scripts } = countingNft(blocked);
  const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  const bans = new BanList();
  const table = new NftablesTable(runner, undefined, undefined, {
    checkIntervalMs: 0,
    interfaces: async () => [],
  });
  const env: TunnelEnvironment = {
    stunServers: ["stun.test:3478"],
    keepalive: { target: "keep.test:80", intervalSeconds: 10 },
    bans,
    table: new ConnectionTable({ flushIntervalMs: 0 }),
    geo: async () => undefined,
    nftables: () => table,
    runner,
    isPrivileged: true,
    logger: () => quiet,
    timing: { recheckIntervalMs: 60_000, stableAfterMs: 0 },
    network: () => network,
  };
  const config = tunnelSchema.parse({
    id: "qb",
    target: "127.0.0.1:6881",
    forward,
    downloader: { kind: "qbittorrent", url: "http://127.0.0.1:8080" },
  });
  const tunnel = await RunningTunnel.create(config, "config", env);
  running.push(tunnel);
  const open = new Promise<void>((resolve) => {
    const subscription = tunnel.tunnel.onChange(({ status }) => {
      if (status.state === "OPEN") {
        subscription.dispose();
        resolve();
      }
    });
  });
  await tunnel.start();
  await open;
  return { tunnel, scripts, bans };
}

const guard = (port: number) => `meta nfproto ipv6 fib daddr type local tcp dport ${port} ip6 saddr`;

describe("a tunnel's rules guard its local downloader's IPv6 port", () => {
  it("forward: nftables guards the port the downloader was pushed (the public port), and IPv6 bans reach its sets", async () => {
    const { scripts, bans } = await runTunnel("nftables", 1000);
    await vi.waitUntil(() => scripts.some((script) => script.includes(guard(41_000))));
    expect(scripts.at(-1)).not.toContain(guard(40_000));
    await bans.ban({ cidr: "2001:db8:7::/48" });
    expect(scripts.at(-1)).toBe("add element inet autostun t_qb_22d1fb_ban6 { 2001:db8:7::/48 }\n");
    bans.dispose();
  });

  it("the relay-port path guards P, where the downloader listens, and the tunnel's stats count what the kernel refused", async () => {
    const { tunnel, scripts, bans } = await runTunnel("userspace", 0, {
      t_qb_22d1fb_blocked: 3,
      t_qb_22d1fb_ublocked: 0,
    });
    expect(tunnel.tunnel.status.path).not.toBe("direct-downloader");
    await vi.waitUntil(() => scripts.some((script) => script.includes(guard(40_000))));
    expect(scripts.at(-1)).toMatch(/tcp dport 40000 counter name "\S+" redirect to :\d+/);
    await bans.ban({ cidr: "2a0b::7" });
    expect(scripts.at(-1)).toBe("add element inet autostun t_qb_22d1fb_banh6 { 2a0b::7 }\n");
    // Our forwarder refused nobody; the 3 are the kernel's, at the downloader's own IPv6 port.
    expect((await tunnel.stats())?.blocked).toBe(3);
    bans.dispose();
  });
});

describe("user-space paths guard the local downloader's IPv6 port with an IPv6-only table part", () => {
  const GUARD = "t_qb_ipv6_5fee3d";
  const guardScripts = (scripts: string[]) => scripts.filter((script) => script.includes(`${GUARD}_filter`));

  it("listen-on-p (the gateway changes the port): guarded at the target's port before the open, then at the port pushed; no IPv4 in it", async () => {
    const { tunnel, scripts, bans } = await runTunnel("userspace", 1000, {
      [`${GUARD}_blocked`]: 2,
      [`${GUARD}_ublocked`]: 1,
      [`${GUARD}_lim6`]: 4,
      [`${GUARD}_ulim6`]: 0,
    });
    // The first script of all is the guard at 6881, loaded before the first punch.
    expect(scripts[0]).toContain(guard(6881));
    await vi.waitUntil(() => guardScripts(scripts).some((script) => script.includes(guard(41_000))));
    for (const script of guardScripts(scripts)) {
      expect(script).not.toMatch(/ipv4|ip saddr|dnat|redirect/);
      expect(script).toContain("ip6 saddr and ffff:ffff:ffff:ffff:: ct count over");
    }
    await bans.ban({ cidr: "2a0b::7" });
    expect(scripts.at(-1)).toBe(`add element inet autostun ${GUARD}_banh6 { 2a0b::7 }\n`);
    // An IPv4 ban stays the forwarder's: no nft run.
    const before = scripts.length;
    await bans.ban({ cidr: "198.51.100.7" });
    expect(scripts.length).toBe(before);
    // The kernel's refusals at the downloader's port, bans and the /64 limit, TCP and UDP apart.
    expect((await tunnel.stats())?.blocked).toBe(6);
    // Q != P: no relay-port redirect was ever loaded, so the IPv4 path is the forwarder's alone.
    expect(scripts.some((script) => /redirect to/.test(script))).toBe(false);
    bans.dispose();
  });

  it("relay-port: guarded at the downloader's port from the start, handed to the redirect once it holds", async () => {
    const { tunnel, scripts } = await runTunnel("userspace", 0, {
      [`${GUARD}_blocked`]: 2,
      [`${GUARD}_ublocked`]: 0,
      t_qb_22d1fb_blocked: 1,
    });
    expect(scripts[0]).toContain(guard(6881));
    expect(scripts[0]).toContain(`${GUARD}_filter`);
    await vi.waitUntil(() => scripts.some((script) => /redirect to :\d+/.test(script)));
    await vi.waitUntil(() => !scripts.at(-1)?.includes(GUARD));
    const last = scripts.at(-1) ?? "";
    expect(last).toContain(guard(40_000));
    expect(last).toMatch(/redirect to :\d+/);
    // What the guard refused before the open still counts, beside the redirect's own refusals.
    expect((await tunnel.stats())?.blocked).toBe(3);
  });
});
