import { describe, expect, test } from "vitest";
import type { Lab } from "./lab/types.js";
import { createTestLab } from "./testing.js";

/**
 * `changePublicIp()`: the router moves to a new WAN address, as after an ISP reconnect. WAN hosts
 * then see the LAN host behind the new address, and the router stays a full cone (NAT1).
 */

const WHO_PORT = 7_001;
const LOCAL_PORT = 40_321;
const GREETING = "behind-the-new-address";

/** A WAN service that answers every connection with the address and port it came from. */
async function startWhoAmI(lab: Lab): Promise<string> {
  const server = lab.wanServerIps.primary;
  lab.spawn("wan", "socat", [
    `TCP4-LISTEN:${WHO_PORT},bind=${server},reuseaddr,fork`,
    "SYSTEM:echo $SOCAT_PEERADDR $SOCAT_PEERPORT",
  ]);
  await lab.waitForListening("wan", { tcp: [`${server}:${WHO_PORT}`] });
  return server;
}

/** "ip port" as the WAN service saw the LAN host. */
async function seenFrom(lab: Lab, server: string, sourcePort?: number): Promise<string> {
  const from = sourcePort ? `,sourceport=${sourcePort},reuseaddr` : "";
  const result = await lab.exec("lan", "socat", [
    "-T",
    "3",
    "-u",
    `TCP4:${server}:${WHO_PORT}${from}`,
    "STDOUT",
  ]);
  return result.stdout.trim();
}

describe("changePublicIp", () => {
  test("WAN hosts see the new address, and a new peer still gets in through the new mapping (NAT1)", async (context) => {
    const lab = await createTestLab({ nat: "NAT1", portPreserving: false, stun: "none" }, context);
    const server = await startWhoAmI(lab);
    const before = lab.publicIp;
    expect(await seenFrom(lab, server)).toMatch(new RegExp(`^${before} \\d+$`));

    const after = await lab.changePublicIp();
    expect(after).not.toBe(before);
    expect(lab.publicIp).toBe(after);
    expect(lab.routerWanIp).toBe(after);
    expect(await seenFrom(lab, server)).toMatch(new RegExp(`^${after} \\d+$`));
    const gone = await lab.exec("wan", "ping", ["-c", "1", "-W", "1", before]);
    expect(gone.code).not.toBe(0);

    // Outbound from P, then listen on P: a WAN host never contacted gets in through the new address.
    const [mappedIp, publicPort] = (await seenFrom(lab, server, LOCAL_PORT)).split(" ");
    expect(mappedIp).toBe(after);
    lab.spawn("lan", "socat", [`TCP4-LISTEN:${LOCAL_PORT},reuseaddr,fork`, `SYSTEM:echo ${GREETING}`]);
    await lab.waitForListening("lan", { tcp: [`0.0.0.0:${LOCAL_PORT}`] });
    const peer = await lab.addWanAddress();
    const knock = await lab.exec("wan", "socat", [
      "-T",
      "3",
      "-u",
      `TCP4:${after}:${publicPort},bind=${peer},connect-timeout=3`,
      "STDOUT",
    ]);
    expect(knock.stdout.trim()).toBe(GREETING);
  });

  test("each change gives yet another address; an OPEN lab refuses, saying why", async (context) => {
    const lab = await createTestLab({ nat: "NAT1", stun: "none" }, context);
    const seen = new Set([lab.publicIp]);
    for (let i = 0; i < 3; i++) seen.add(await lab.changePublicIp());
    expect(seen.size).toBe(4);

    const open = await createTestLab({ nat: "OPEN", stun: "none" }, context);
    await expect(open.changePublicIp()).rejects.toThrow(/OPEN lab the LAN host holds the public address/);
  });
});
