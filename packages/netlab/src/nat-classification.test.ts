import { describe, expect, test } from "vitest";
import { STUN_CLIENT_BIN } from "./apt-packages.js";
import type { Lab, LabStunServer, NatType } from "./lab/types.js";
import { createTestLab } from "./testing.js";

/**
 * Cross-check of the lab itself: Debian's stun-client (an RFC 3489 client we did not
 * write) classifies each router against coturn (a server we did not write).
 */

/** The "Primary: …" verdict line stun-client prints. */
async function classify(lab: Lab): Promise<string> {
  const result = await lab.exec("lan", STUN_CLIENT_BIN, [lab.wanServerIps.primary], { timeoutMs: 15_000 });
  const line = result.stdout.split("\n").find((l) => l.startsWith("Primary:"));
  if (!line)
    throw new Error(
      `stun-client printed no verdict (exit ${result.code}):\n${result.stdout}${result.stderr}`,
    );
  return line.trim();
}

const expected: Record<NatType, RegExp> = {
  NAT1: /Independent Mapping, Independent Filter/,
  NAT2: /Independent Mapping, Address Dependent Filter/,
  NAT3: /Independent Mapping, Port Dependent Filter/,
  NAT4: /Dependent Mapping/,
  OPEN: /Primary: Open/,
  UDP_BLOCKED: /Blocked/,
};

const cases: { nat: NatType; portPreserving: boolean; stun: LabStunServer }[] = [
  ...(Object.keys(expected) as NatType[]).map((nat) => ({
    nat,
    portPreserving: true,
    stun: "coturn" as const,
  })),
  // Remapping routers must keep the same mapping and filtering, only the port changes.
  ...(["NAT1", "NAT2", "NAT3", "NAT4"] as const).map((nat) => ({
    nat,
    portPreserving: false,
    stun: "coturn" as const,
  })),
  // Our own server, started by the lab, must answer the same independent client.
  { nat: "NAT1", portPreserving: true, stun: "ours" },
];

describe.concurrent("stun-client classifies each lab router", () => {
  test.for(cases)("$nat (portPreserving $portPreserving, server $stun)", async (c, context) => {
    const lab = await createTestLab(c, context);
    const verdict = await classify(lab);
    expect(verdict).toMatch(expected[c.nat]);
    if (c.nat === "NAT4") expect(verdict).not.toMatch(/Independent Mapping/);
    if (c.nat === "OPEN") return;
    if (c.nat === "UDP_BLOCKED") return;
    // stun-client notices whether the public port equals its own.
    if (c.portPreserving && c.nat !== "NAT4") expect(verdict).toMatch(/preserves ports/);
    else expect(verdict).toMatch(/random port/);
  });
});
