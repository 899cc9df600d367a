import { execFileSync, spawnSync } from "node:child_process";
import { createCommandRunner } from "@autostun/probes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TableSpec } from "../build/table-script.js";
import { addressElements } from "../ruleset/elements.js";
import { parseRuleset } from "../ruleset/parse.js";
import { Nftables } from "./nft.js";

// Real nftables in a namespace this file creates and always deletes, so the host's ruleset is untouched.
const NS = `autostun-nf-${process.pid.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
const OURS = { family: "inet", name: "autostun" } as const;
const BANNED = { table: OURS, name: "banned" };

const ourTable = (extraRule?: string): TableSpec => ({
  table: OURS,
  sets: [{ name: "banned", type: "ipv4_addr", flags: ["interval", "timeout"] }],
  chains: [
    {
      name: "input",
      hook: { type: "filter", hook: "input", priority: -10 },
      rules: ["ip saddr @banned drop", ...(extraRule ? [extraRule] : [])],
    },
  ],
});

/** What the kernel holds, read straight from nft in the namespace rather than through the code under test. */
function listed() {
  const out = execFileSync("ip", ["netns", "exec", NS, "nft", "-j", "list", "ruleset"], { encoding: "utf8" });
  return parseRuleset(out);
}

/**
 * Whether a TCP SYN from 127.0.0.1 reaches the namespace's stack: with nothing listening on port 9 an
 * admitted SYN is answered with a reset at once, a dropped one goes unanswered until the timeout.
 */
function reachesItself(): boolean {
  const result = spawnSync(
    "ip",
    ["netns", "exec", NS, "socat", "-u", "/dev/null", "TCP:127.0.0.1:9,connect-timeout=1"],
    { encoding: "utf8", timeout: 5_000 },
  );
  if (/Connection refused/.test(result.stderr)) return true;
  if (/timed out|Operation now in progress/i.test(result.stderr)) return false;
  throw new Error(`socat said neither refused nor timed out: ${result.stderr}`);
}

describe("Nftables against a real kernel, in a namespace of its own", () => {
  const nft = new Nftables(createCommandRunner({ netns: NS }));

  beforeAll(() => {
    execFileSync("ip", ["netns", "add", NS]);
    execFileSync("ip", ["-n", NS, "link", "set", "lo", "up"]);
    // A user's own table, which nothing of ours may touch.
    execFileSync("ip", ["netns", "exec", NS, "nft", "-f", "-"], {
      input: "table ip user {\n  chain c { type filter hook input priority 0; policy accept; }\n}\n",
    });
  });
  afterAll(() => {
    spawnSync("ip", ["netns", "del", NS]);
  });

  it("applies our table, replaces it atomically, and removes it, leaving the user's table alone", async () => {
    await nft.applyTable(ourTable());
    expect(
      listed()
        .tables.map((t) => `${t.family} ${t.name}`)
        .sort(),
    ).toEqual(["inet autostun", "ip user"]);
    expect((await nft.listTable(OURS))?.rules.map((r) => r.chain)).toEqual(["input"]);

    await nft.applyTable(ourTable("tcp dport 6881 accept"));
    expect(listed().rules.filter((r) => r.table === "autostun")).toHaveLength(2);

    // One bad line fails the whole transaction: the previous table is still there, unchanged.
    await expect(nft.applyTable(ourTable("tcp dport no-such-port accept"))).rejects.toThrow(
      /loading table inet autostun failed/,
    );
    expect(listed().rules.filter((r) => r.table === "autostun")).toHaveLength(2);

    await nft.removeTable(OURS);
    expect(listed().tables.map((t) => t.name)).toEqual(["user"]);
    expect(await nft.listTable(OURS)).toBeUndefined();
    // Removing what is not there is not an error: stop may run after a failed start.
    await nft.removeTable(OURS);
  });

  it("adds and removes ban-set elements with timeouts, and a ban really drops traffic", async () => {
    await nft.applyTable(ourTable());
    expect(reachesItself()).toBe(true);

    await nft.addElements(BANNED, [
      { address: "127.0.0.0/8", timeoutSeconds: 600 },
      { address: "192.0.2.7" },
    ]);
    const set = listed().sets.find((s) => s.table === "autostun" && s.name === "banned");
    const elements = set ? addressElements(set) : [];
    expect(elements.map((e) => e.address)).toEqual(["127.0.0.0/8", "192.0.2.7"]);
    expect(elements[0]?.timeoutSeconds).toBe(600);
    expect(elements[0]?.expiresSeconds).toBeGreaterThan(590);
    expect(reachesItself()).toBe(false);

    await nft.removeElements(BANNED, [{ address: "127.0.0.0/8" }]);
    const after = listed().sets.find((s) => s.name === "banned");
    expect(after && addressElements(after).map((e) => e.address)).toEqual(["192.0.2.7"]);
    expect(reachesItself()).toBe(true);

    // Removing an absent element fails as a whole and says which set.
    await expect(nft.removeElements(BANNED, [{ address: "198.51.100.1" }])).rejects.toThrow(
      /removing from set banned failed/,
    );
    await nft.removeTable(OURS);
  });

  it("says what to do when nft is missing", async () => {
    const missing = new Nftables({
      run: async () => ({ exitCode: undefined, stdout: "", stderr: "", error: "ENOENT" }),
    });
    await expect(missing.listRuleset()).rejects.toThrow(/install the nftables package/);
  });
});
