import type { Readable } from "node:stream";
import { describe, expect, test } from "vitest";
import type { Lab, NatType } from "./lab/types.js";
import { createTestLab } from "./testing.js";

/**
 * TCP through the lab router, the way AutoSTUN's tunnel uses it: connect out from local
 * port P, keep that connection, listen on P, and see which WAN hosts get through to it.
 */

const LOCAL_PORT = 40_123;
const ECHO_PORT = 7_000;
const GREETING = "lan-host-here";

function firstLine(stream: Readable | null, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!stream) return reject(new Error(`${what}: no output stream`));
    let text = "";
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const nl = text.indexOf("\n");
      if (nl >= 0) {
        stream.off("data", onData);
        resolve(text.slice(0, nl).trim());
      }
    };
    stream.on("data", onData);
    stream.once("end", () => reject(new Error(`${what} ended before a line: ${JSON.stringify(text)}`)));
  });
}

/**
 * Open the outbound mapping from LAN port P and learn its public side from a WAN
 * service that echoes the address it sees, then listen on P behind it.
 */
async function punchAndListen(lab: Lab): Promise<{ publicIp: string; publicPort: number }> {
  const server = lab.wanServerIps.primary;
  lab.spawn("wan", "socat", [
    `TCP4-LISTEN:${ECHO_PORT},bind=${server},reuseaddr,fork`,
    "SYSTEM:echo $SOCAT_PEERADDR $SOCAT_PEERPORT; sleep 60",
  ]);
  await lab.waitForListening("wan", { tcp: [`${server}:${ECHO_PORT}`] });
  const keepAlive = lab.spawn("lan", "socat", [
    "-u",
    `TCP4:${server}:${ECHO_PORT},sourceport=${LOCAL_PORT},reuseaddr`,
    "STDOUT",
  ]);
  const [publicIp = "", port = ""] = (await firstLine(keepAlive.stdout, "the keep-alive connection")).split(
    " ",
  );
  // Connect first, then listen on the same port: both sockets carry SO_REUSEADDR.
  lab.spawn("lan", "socat", [`TCP4-LISTEN:${LOCAL_PORT},reuseaddr,fork`, `SYSTEM:echo ${GREETING}`]);
  await lab.waitForListening("lan", { tcp: [`0.0.0.0:${LOCAL_PORT}`] });
  return { publicIp, publicPort: Number(port) };
}

/** Connect from a WAN address to the public endpoint; what the LAN host said, or "" if nothing got through. */
async function knock(
  lab: Lab,
  fromIp: string,
  to: { publicIp: string; publicPort: number },
): Promise<string> {
  const result = await lab.exec("wan", "socat", [
    "-T",
    "3",
    "-u",
    `TCP4:${to.publicIp}:${to.publicPort},bind=${fromIp},connect-timeout=3`,
    "STDOUT",
  ]);
  return result.stdout.trim();
}

interface Case {
  nat: NatType;
  portPreserving: boolean;
  /** Does a brand-new WAN address reach the listener? */
  newHost: boolean;
  /** Does the server we connected to reach it from another port? */
  sameHostOtherPort: boolean;
}

const cases: Case[] = [
  { nat: "NAT1", portPreserving: true, newHost: true, sameHostOtherPort: true },
  { nat: "NAT1", portPreserving: false, newHost: true, sameHostOtherPort: true },
  { nat: "NAT2", portPreserving: true, newHost: false, sameHostOtherPort: true },
  { nat: "NAT3", portPreserving: true, newHost: false, sameHostOtherPort: false },
];

describe.concurrent("inbound TCP to a port with an outbound mapping", () => {
  test.for(cases)(
    "$nat (portPreserving $portPreserving): new host $newHost, same host other port $sameHostOtherPort",
    async (c, context) => {
      const lab = await createTestLab(
        { nat: c.nat, portPreserving: c.portPreserving, stun: "none" },
        context,
      );
      const endpoint = await punchAndListen(lab);
      expect(endpoint.publicIp).toBe(lab.publicIp);
      if (c.portPreserving) expect(endpoint.publicPort).toBe(LOCAL_PORT);
      else expect(endpoint.publicPort).not.toBe(LOCAL_PORT);

      const peer = await lab.addWanAddress();
      expect(await knock(lab, peer, endpoint)).toBe(c.newHost ? GREETING : "");
      expect(await knock(lab, lab.wanServerIps.primary, endpoint)).toBe(c.sameHostOtherPort ? GREETING : "");
    },
  );
});

describe("resetMappings", () => {
  test("a router that forgot its mappings no longer lets peers in through the old public port", async (context) => {
    const lab = await createTestLab({ nat: "NAT1", portPreserving: false, stun: "none" }, context);
    const endpoint = await punchAndListen(lab);
    const peer = await lab.addWanAddress();
    expect(await knock(lab, peer, endpoint)).toBe(GREETING);

    await lab.resetMappings();
    expect(await knock(lab, peer, endpoint)).toBe("");
  });
});
