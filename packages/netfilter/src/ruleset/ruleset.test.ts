import { describe, expect, it } from "vitest";
import { describeRule } from "./describe.js";
import { addressElements } from "./elements.js";
import { parseRuleset } from "./parse.js";

// Printed by nft 1.0.6 for a table with a ban set, a base chain and one rule (trimmed to those parts).
const LISTED = JSON.stringify({
  nftables: [
    { metainfo: { version: "1.0.6", json_schema_version: 1 } },
    { table: { family: "ip", name: "t", handle: 2 } },
    {
      set: {
        family: "ip",
        name: "ban",
        table: "t",
        type: "ipv4_addr",
        handle: 2,
        flags: ["interval", "timeout"],
        elem: [
          { elem: { val: { prefix: { addr: "10.1.0.0", len: 16 } }, timeout: 3600, expires: 3599 } },
          { elem: { val: "192.0.2.7", timeout: 30, expires: 29 } },
          "198.51.100.9",
        ],
      },
    },
    { set: { family: "ip", name: "empty", table: "t", type: "ipv4_addr", handle: 3 } },
    { map: { family: "ip", name: "m", table: "t", type: "inet_service", map: "ipv4_addr", handle: 4 } },
    {
      chain: {
        family: "ip",
        table: "t",
        name: "input",
        handle: 1,
        type: "filter",
        hook: "input",
        prio: -10,
        policy: "accept",
      },
    },
    {
      rule: {
        family: "ip",
        table: "t",
        chain: "input",
        handle: 3,
        comment: "autostun ban",
        expr: [
          { match: { op: "==", left: { payload: { protocol: "ip", field: "saddr" } }, right: "@ban" } },
          { drop: null },
        ],
      },
    },
  ],
});

describe("parseRuleset", () => {
  it("groups what nft -j printed into typed tables, chains, rules, sets and maps", () => {
    const ruleset = parseRuleset(LISTED);
    expect(ruleset.tables).toEqual([{ family: "ip", name: "t", handle: 2 }]);
    expect(ruleset.chains[0]).toMatchObject({ name: "input", hook: "input", prio: -10, policy: "accept" });
    expect(ruleset.rules[0]).toMatchObject({ chain: "input", handle: 3, comment: "autostun ban" });
    expect(ruleset.sets.map((s) => s.name)).toEqual(["ban", "empty"]);
    expect(ruleset.sets[1]?.elem).toEqual([]);
    expect(ruleset.maps.map((m) => m.name)).toEqual(["m"]);
  });

  it("names what is wrong with output that is not nft's JSON", () => {
    expect(() => parseRuleset("table ip t {")).toThrow(/invalid JSON/);
    expect(() => parseRuleset('{"rules": []}')).toThrow(/without an `nftables` array/);
    expect(() => parseRuleset("null")).toThrow(/without an `nftables` array/);
  });
});

describe("addressElements and describeRule", () => {
  it("turn a ban set's elements into addresses with their timeouts", () => {
    const [ban] = parseRuleset(LISTED).sets;
    expect(ban && addressElements(ban)).toEqual([
      { address: "10.1.0.0/16", timeoutSeconds: 3600, expiresSeconds: 3599 },
      { address: "192.0.2.7", timeoutSeconds: 30, expiresSeconds: 29 },
      { address: "198.51.100.9" },
    ]);
  });

  it("render a rule the way a user finds it in nft list ruleset", () => {
    const [rule] = parseRuleset(LISTED).rules;
    expect(describeRule(rule?.expr ?? [])).toBe("ip saddr @ban drop");
  });
});

describe("named counters", () => {
  it("are read back with their packet and byte counts", () => {
    const printed = JSON.stringify({
      nftables: [
        { metainfo: { version: "1.0.6", json_schema_version: 1 } },
        {
          counter: {
            family: "inet",
            name: "qb_handled",
            table: "autostun",
            handle: 4,
            packets: 8,
            bytes: 280,
          },
        },
      ],
    });
    expect(parseRuleset(printed).counters).toEqual([
      { family: "inet", name: "qb_handled", table: "autostun", handle: 4, packets: 8, bytes: 280 },
    ]);
  });
});
