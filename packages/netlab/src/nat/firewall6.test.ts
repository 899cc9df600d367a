import { tableScript } from "@autostun/netfilter";
import { describe, expect, test } from "vitest";
import { firewall6Table } from "./firewall6.js";

describe("the router's IPv6 firewall table", () => {
  test("on: replies in, new inbound from the WAN dropped, outbound left to the accept policy", () => {
    const script = tableScript(firewall6Table(true));
    expect(script).toContain("table ip6 lab6 {");
    expect(script).toContain("type filter hook forward priority filter; policy accept;");
    const rules = firewall6Table(true).chains?.[0]?.rules ?? [];
    expect(rules[0]).toBe("ct state established,related accept");
    expect(rules).toContain('iifname "wan0" drop');
    // The drop must come after the stateful accept, or replies would die too.
    expect(rules.indexOf('iifname "wan0" drop')).toBeGreaterThan(0);
  });

  test("off: the same chain with nothing in it, so every packet is forwarded", () => {
    const off = firewall6Table(false);
    expect(off.table).toEqual({ family: "ip6", name: "lab6" });
    expect(off.chains?.[0]?.rules).toEqual([]);
  });
});
