import { describe, expect, test } from "vitest";
import { STUN_CLIENT_BIN } from "./apt-packages.js";
import type { Lab } from "./lab/types.js";
import { createTestLab } from "./testing.js";

/**
 * `setNat()`: the router changes its NAT behaviour in place, as after the user fixed the modem. Judged
 * by Debian's stun-client, a client we did not write, before and after the switch.
 */

async function verdict(lab: Lab): Promise<string> {
  const result = await lab.exec("lan", STUN_CLIENT_BIN, [lab.wanServerIps.primary], { timeoutMs: 15_000 });
  const line = result.stdout.split("\n").find((l) => l.startsWith("Primary:"));
  if (!line)
    throw new Error(
      `stun-client printed no verdict (exit ${result.code}):\n${result.stdout}${result.stderr}`,
    );
  return line.trim();
}

describe("setNat", () => {
  test("a NAT3 router becomes a full cone (NAT1) and back, on the same public address", async (context) => {
    const lab = await createTestLab({ nat: "NAT3", stun: "coturn" }, context);
    const publicIp = lab.publicIp;
    expect(await verdict(lab)).toMatch(/Independent Mapping, Port Dependent Filter/);

    await lab.setNat("NAT1");
    expect(lab.options.nat).toBe("NAT1");
    expect(lab.publicIp).toBe(publicIp);
    expect(await verdict(lab)).toMatch(/Independent Mapping, Independent Filter/);

    await lab.setNat("NAT4");
    expect(await verdict(lab)).toMatch(/Dependent Mapping/);
    expect(await verdict(lab)).not.toMatch(/Independent Mapping/);
  });

  test("refuses OPEN and unknown types, naming what it got, and leaves the router as it was", async (context) => {
    const lab = await createTestLab({ nat: "NAT3", stun: "coturn" }, context);
    await expect(lab.setNat("OPEN")).rejects.toThrow(/cannot switch NAT3 -> OPEN/);
    // @ts-expect-error: a caller without types may pass anything
    await expect(lab.setNat("NAT9")).rejects.toThrow(/one of NAT1, .*got "NAT9"/);
    expect(lab.options.nat).toBe("NAT3");
    expect(await verdict(lab)).toMatch(/Port Dependent Filter/);
  });
});
