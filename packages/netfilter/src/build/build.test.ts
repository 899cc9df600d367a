import { describe, expect, it } from "vitest";
import { elementsScript } from "./elements.js";
import { deleteRuleCommand, insertRuleCommand } from "./rule-commands.js";
import { removeTableScript, tableScript } from "./table-script.js";

const OURS = { family: "inet", name: "autostun" } as const;

describe("tableScript", () => {
  it("replaces the table in one script: add, delete, then the new body", () => {
    const script = tableScript({
      table: OURS,
      sets: [{ name: "banned", type: "ipv4_addr", flags: ["interval", "timeout"] }],
      chains: [
        {
          name: "input",
          hook: { type: "filter", hook: "input", priority: -10, policy: "accept" },
          rules: ["ip saddr @banned drop"],
        },
        { name: "helper" },
      ],
    });
    expect(script.split("\n")).toEqual([
      "add table inet autostun",
      "delete table inet autostun",
      "table inet autostun {",
      "  set banned { type ipv4_addr; flags interval,timeout; }",
      "  chain input { type filter hook input priority -10; policy accept;",
      "    ip saddr @banned drop",
      "  }",
      "  chain helper {",
      "  }",
      "}",
      "",
    ]);
  });

  it("declares maps with their value type and default timeout", () => {
    const script = tableScript({
      table: { family: "ip", name: "lab" },
      sets: [{ name: "m", type: "inet_service", map: "ipv4_addr . inet_service", timeout: "10m" }],
    });
    expect(script).toContain("  map m { type inet_service : ipv4_addr . inet_service; timeout 10m; }");
  });

  it("removes a table whether or not it exists", () => {
    expect(removeTableScript(OURS)).toBe("add table inet autostun\ndelete table inet autostun\n");
  });
});

describe("elementsScript", () => {
  const banned = { table: OURS, name: "banned" };

  it("adds addresses and CIDRs with optional timeouts, and deletes them without", () => {
    const add = [{ address: "192.0.2.7", timeoutSeconds: 60 }, { address: "198.51.100.0/24" }];
    expect(elementsScript("add", banned, add)).toBe(
      "add element inet autostun banned { 192.0.2.7 timeout 60s, 198.51.100.0/24 }\n",
    );
    expect(elementsScript("delete", banned, add)).toBe(
      "delete element inet autostun banned { 192.0.2.7, 198.51.100.0/24 }\n",
    );
  });

  it("refuses anything but an IPv4 address or CIDR, so nothing else is spliced into the script", () => {
    for (const address of ["192.0.2.7 } ; flush ruleset ; {", "300.1.1.1", "10.0.0.0/33", "::1", ""])
      expect(() => elementsScript("add", banned, [{ address }])).toThrow(/not an IPv4 address or CIDR/);
    expect(() => elementsScript("add", banned, [{ address: "192.0.2.7", timeoutSeconds: 0.5 }])).toThrow(
      /whole number of seconds/,
    );
    expect(() => elementsScript("add", banned, [])).toThrow(/no elements/);
  });
});

describe("rule commands for someone else's chain", () => {
  const input = { table: { family: "inet", name: "filter" } as const, name: "input" };

  it("insert at the top with our comment, delete by handle", () => {
    expect(insertRuleCommand(input, ["tcp", "dport", "6881", "accept"], "autostun")).toEqual([
      "nft",
      "insert",
      "rule",
      "inet",
      "filter",
      "input",
      "tcp",
      "dport",
      "6881",
      "accept",
      "comment",
      '"autostun"',
    ]);
    expect(deleteRuleCommand(input, 7)).toEqual([
      "nft",
      "delete",
      "rule",
      "inet",
      "filter",
      "input",
      "handle",
      "7",
    ]);
  });
});
