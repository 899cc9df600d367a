import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Services } from "@autostun/plugins-api";
import { createCommandRunner } from "@autostun/probes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestDaemon } from "../testing/daemon.js";
import { loopbackOnlyNamespace } from "../testing/netns.js";
import { gql, gqlUntil } from "./testing/graphql-client.js";
import { type LoopbackServices, startLoopbackServices } from "./testing/loopback-services.js";

/**
 * Two `forward: nftables` tunnels in a real daemon, their nftables in a namespace of the test's own (the
 * daemon's nft, ss and sysctl run there; its sockets stay on this host's loopback). One tunnel's ban set
 * is taken away behind the daemon's back, as a hand edit or another firewall tool would, so real nft
 * refuses to update it: the API must say so (as data in ban's answer), keep the ban, and the other tunnel
 * must enforce it.
 */

interface NftJson {
  nftables: { set?: { name: string; elem?: unknown[] }; chain?: { name: string } }[];
}

let services: LoopbackServices;
let namespace: ReturnType<typeof loopbackOnlyNamespace>;
beforeAll(async () => {
  services = await startLoopbackServices();
  namespace = loopbackOnlyNamespace();
});
afterAll(async () => {
  namespace?.dispose();
  await services?.close();
});

function nft(...args: string[]): string {
  return execFileSync("ip", ["netns", "exec", namespace.name, "nft", ...args]).toString();
}

function table(): NftJson["nftables"] {
  return (JSON.parse(nft("-j", "list", "table", "inet", "autostun")) as NftJson).nftables;
}

/** A tunnel's ban sets: single hosts live in a hash set (`_banh`), ranges in an interval set (`_ban`). */
function banSets(tunnelId: string): { name: string; elem?: unknown[] }[] {
  return table().flatMap((item) =>
    item.set?.name.includes(tunnelId) && /_banh?$/.test(item.set.name) ? [item.set] : [],
  );
}

/** The elements of the tunnel's ban sets as nft prints them, e.g. "203.0.113.0/24". */
function banned(tunnelId: string): string[] {
  return banSets(tunnelId).flatMap((set) =>
    (set.elem ?? []).map((elem) => {
      const prefix = (elem as { prefix?: { addr: string; len: number } }).prefix;
      return prefix ? `${prefix.addr}/${prefix.len}` : String(elem);
    }),
  );
}

describe("a ban that one nftables tunnel cannot apply", () => {
  it("is kept and enforced elsewhere; ban answers the Ban naming the tunnel and nft's reason, unban an error in the client's language", async () => {
    const daemon = await startTestDaemon(
      {
        dataDir: mkdtempSync(join(tmpdir(), "autostun-ban-not-applied-")),
        stun: { udp: [], tcp: [services.stun] },
        keepalive: { target: services.keepalive, intervalSeconds: 10 },
        tunnels: [
          { id: "good", target: services.echo, forward: "nftables" },
          { id: "broken", target: services.echo, forward: "nftables" },
        ],
      },
      (c) => c.register(Services.CommandRunner, { useValue: createCommandRunner({ netns: namespace.name }) }),
    );
    try {
      await gqlUntil<{ tunnels: { state: string }[] }>(daemon.url, "{ tunnels { state } }", (d) =>
        d.tunnels.every((t) => t.state === "OPEN"),
      );
      // Setup, not the guarantee under test: each tunnel's rules load just after it opens.
      await expect
        .poll(() => table().filter((item) => item.set?.name.endsWith("_ban")).length, {
          timeout: 30_000,
          interval: 100,
        })
        .toBe(2);
      // A ban both tunnels apply, before one of them breaks.
      const early = await gql<{ ban: { notApplied: unknown[] } }>(
        daemon.url,
        `mutation { ban(cidr: "198.51.100.7") { cidr notApplied { tunnelId } } }`,
      );
      expect(early.errors).toBeUndefined();
      expect(early.data?.ban.notApplied).toEqual([]);
      expect([banned("good"), banned("broken")]).toEqual([["198.51.100.7"], ["198.51.100.7"]]);
      for (const item of table()) {
        if (item.chain?.name.includes("broken")) nft("flush", "chain", "inet", "autostun", item.chain.name);
      }
      for (const set of banSets("broken")) nft("delete", "set", "inet", "autostun", set.name);

      const ban = await gql<{
        ban: { cidr: string; reason: string; notApplied: { tunnelId: string; error: string }[] };
      }>(
        daemon.url,
        `mutation { ban(cidr: "203.0.113.0/24", reason: "leech") { cidr reason notApplied { tunnelId error } } }`,
      );
      // The ban is the answer, stored; the tunnel that could not apply it is named in it, with nft's reason.
      expect(ban.errors).toBeUndefined();
      expect(ban.data?.ban).toEqual({
        cidr: "203.0.113.0/24",
        reason: "leech",
        notApplied: [{ tunnelId: "broken", error: expect.stringMatching(/No such file or directory/) }],
      });
      // In force on the other tunnel when the answer came: no waiting here.
      expect(banned("good").sort()).toEqual(["198.51.100.7", "203.0.113.0/24"]);
      const listed = await gql<{ bans: { cidr: string }[] }>(daemon.url, "{ bans { cidr } }");
      expect(listed.data?.bans.map((b) => b.cidr).sort()).toEqual(["198.51.100.7/32", "203.0.113.0/24"]);

      const response = await fetch(new URL("graphql", daemon.url), {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "accept-language": "zh-CN,zh;q=0.9",
          authorization: `Bearer ${daemon.token}`,
        },
        body: JSON.stringify({ query: `mutation { unban(cidr: "198.51.100.7/32") }` }),
      });
      const unban = (await response.json()) as { errors?: { message: string; extensions?: object }[] };
      expect(unban.errors?.[0]?.extensions).toMatchObject({
        code: "BAN_NOT_APPLIED",
        notApplied: [{ tunnelId: "broken" }],
      });
      expect(unban.errors?.[0]?.message).toMatch(/^已解除对 198\.51\.100\.7\/32 的封禁，但隧道 broken/);
      expect(banned("good")).toEqual(["203.0.113.0/24"]);
      const after = await gql<{ bans: unknown[]; tunnels: { id: string; state: string }[] }>(
        daemon.url,
        "{ bans { cidr } tunnels { id state } }",
      );
      expect(after.data?.bans).toEqual([{ cidr: "203.0.113.0/24" }]);
      // A tunnel that could not apply a ban keeps running: the daemon stays up and says what failed.
      expect(after.data?.tunnels.map((t) => t.state)).toEqual(["OPEN", "OPEN"]);
    } finally {
      await daemon.stop();
    }
  }, 60_000);
});
