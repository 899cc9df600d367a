import { parseIp } from "@autostun/ip";
import type { CommandRunner } from "@autostun/plugins-api";
import { describe, expect, test } from "vitest";
import type { ForwardTarget } from "../target/validate-target.js";
import { NftablesForwarding } from "./nftables-forwarding.js";
import { NftablesTable } from "./nftables-table.js";

function target(text: string, scope: ForwardTarget["scope"]): ForwardTarget {
  const [host, port] = text.split(/:(?=\d+$)/) as [string, string];
  return { tunnelId: "qb", text, host, port: Number(port), ip: parseIp(host)!, scope };
}

/** Records every command; answers like nft run without the rights to change anything. */
function unprivileged(): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async run(file, args) {
      calls.push([file, ...args].join(" "));
      if (file === "sysctl" && args[0] === "-n") return { exitCode: 0, stdout: "0\n", stderr: "" };
      return { exitCode: 1, stdout: "", stderr: "Error: Could not process rule: Operation not permitted" };
    },
  };
}

function forwarding(to: ForwardTarget, platform: NodeJS.Platform = "linux", runner = unprivileged()) {
  return new NftablesForwarding({
    tunnelId: "qb",
    to: { target: to },
    table: new NftablesTable(runner),
    runner,
    platform,
    localAddresses: () => ["192.168.1.10"],
  });
}

describe("forward: nftables refuses what it cannot do, naming the tunnel and the way out", () => {
  test("without root: a clear error at start, not a silent fallback", async () => {
    const runner = unprivileged();
    const nft = forwarding(target("127.0.0.1:6881", "loopback"), "linux", runner);
    const error = await nft.start(40_000).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^tunnel "qb": forward: nftables could not load its rules/);
    expect((error as Error).message).toMatch(/Operation not permitted/);
    expect((error as Error).message).toMatch(/needs root \(or CAP_NET_ADMIN\).*forward: "userspace"/);
    // It tried for real: one nft transaction with our table in it.
    expect(runner.calls.some((c) => c === "nft -f -")).toBe(true);
  });

  test("off Linux", () => {
    expect(() => forwarding(target("127.0.0.1:6881", "loopback"), "darwin")).toThrow(
      /tunnel "qb": forward: nftables works on Linux only/,
    );
  });

  test("a target on another machine: its answers would bypass this host", () => {
    expect(() => forwarding(target("192.168.1.20:6881", "lan"))).toThrow(
      /tunnel "qb": .*another machine.*Use a target on this host/,
    );
    // This host's own LAN address is fine.
    expect(() => forwarding(target("192.168.1.10:6881", "lan"))).not.toThrow();
  });

  test("an IPv6 target: peers arrive over IPv4", () => {
    expect(() => forwarding(target("::1:6881", "loopback"))).toThrow(/must be an IPv4 address/);
  });
});

describe("kernel timeouts of bans", () => {
  test("a ban longer than nft accepts goes in without one, so loading the set cannot fail", async () => {
    const { kernelTimeout, NFT_MAX_TIMEOUT_SECONDS } = await import("./ban-set-elements.js");
    expect(kernelTimeout(90 * 86_400)).toBe(90 * 86_400);
    expect(kernelTimeout(0.2)).toBe(1);
    expect(kernelTimeout(undefined)).toBeUndefined();
    expect(kernelTimeout(NFT_MAX_TIMEOUT_SECONDS)).toBe(NFT_MAX_TIMEOUT_SECONDS);
    expect(kernelTimeout(10 * 365 * 86_400)).toBeUndefined();
  });
});
