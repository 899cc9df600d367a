import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { CGNAT_1024_POOL, NAT_TYPES } from "../lab/types.js";
import { buildRuleset, type RulesetInput } from "./ruleset.js";

/**
 * `ruleset-defaults.json` holds the router rulesets as they were before the port-pool option existed
 * (every NAT type, port-preserving or remapping, with and without symmetric TCP). A lab built without
 * `portPool` must load exactly the same rules.
 */
const before = JSON.parse(
  readFileSync(new URL("./ruleset-defaults.json", import.meta.url), "utf8"),
) as Record<string, string>;
const PUBLIC_IP = "203.0.113.7";

function inputs(): { key: string; input: RulesetInput }[] {
  const out: { key: string; input: RulesetInput }[] = [];
  for (const nat of NAT_TYPES)
    for (const portPreserving of [true, false])
      for (const tcpSymmetric of [false, true]) {
        if (nat === "OPEN" && tcpSymmetric) continue;
        out.push({
          key: `${nat} portPreserving=${portPreserving} tcpSymmetric=${tcpSymmetric}`,
          input: { nat, portPreserving, tcpSymmetric, publicIp: PUBLIC_IP },
        });
      }
  return out;
}

describe("router ruleset", () => {
  test("the recorded rulesets cover every combination", () => {
    expect(Object.keys(before).sort()).toEqual(
      inputs()
        .map((c) => c.key)
        .sort(),
    );
  });

  test.for(inputs())("$key is unchanged without a port pool", ({ key, input }) => {
    expect(buildRuleset(input)).toBe(before[key]);
    expect(buildRuleset({ ...input, portPool: false })).toBe(before[key]);
  });

  test("a port pool replaces the remapping range and adds the random flag", () => {
    const text = buildRuleset({
      nat: "NAT1",
      portPreserving: false,
      publicIp: PUBLIC_IP,
      portPool: CGNAT_1024_POOL,
    });
    expect(text).toContain(`snat ip to ${PUBLIC_IP}:20480-21503 random`);
    expect(text).not.toContain("10000-15999");
    const counting = buildRuleset({
      nat: "NAT3",
      portPreserving: false,
      publicIp: PUBLIC_IP,
      portPool: { first: 30000, size: 10, random: false },
    });
    expect(counting).toMatch(/masquerade to :30000-30009\n/);
    const symmetric = buildRuleset({
      nat: "NAT4",
      portPreserving: false,
      publicIp: PUBLIC_IP,
      portPool: CGNAT_1024_POOL,
    });
    expect(symmetric).toContain(`snat ip to ${PUBLIC_IP}:20480-21503 fully-random`);
    expect(symmetric).not.toMatch(/fully-random random/);
  });
});
