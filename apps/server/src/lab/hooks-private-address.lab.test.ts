import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestLab, routeLanFromSecondAddress } from "@autostun/netlab/testing";
import { describe, expect, test } from "vitest";
import { LAB_ECHO, labConfig, startLabServices } from "./testing/lab-services.js";
import { LanDaemon } from "./testing/lan-daemon.js";

/**
 * `autostun serve` on a LAN host with two addresses, whose default route leaves from the second one:
 * the tunnel's mapping belongs to that address, so the hooks and `Tunnel.privateAddress` must say it,
 * not the host's first address.
 */

type Tunnels = {
  tunnels: {
    state: string;
    localPort: number | null;
    privateAddress: { ip: string; port: number } | null;
    hooks: { ok: boolean } | null;
  }[];
};
const TUNNELS = "{ tunnels { state localPort privateAddress { ip port } hooks { ok } } }";

describe("hooks on a host with two addresses", () => {
  test("AUTOSTUN_PRIVATE_IP is the address the tunnel's traffic leaves from", {
    timeout: 180_000,
  }, async (context) => {
    const lab = await createTestLab({ nat: "NAT1", portPreserving: false, stun: "ours" }, context);
    const second = await routeLanFromSecondAddress(lab);
    const hookFile = join(mkdtempSync(join(tmpdir(), "autostun-lab-hook-")), "env.jsonl");
    const record = `require("node:fs").appendFileSync(${JSON.stringify(hookFile)},JSON.stringify({ip:process.env.AUTOSTUN_PRIVATE_IP,port:process.env.AUTOSTUN_PRIVATE_PORT})+"\\n")`;
    const keepalive = await startLabServices(lab);
    const config = await lab.writeConfig(
      labConfig(keepalive, {
        tunnels: [
          {
            id: "echo",
            localPort: 41_010,
            target: LAB_ECHO,
            hooks: { command: [process.execPath, "-e", record] },
          },
        ],
      }),
    );
    const daemon = LanDaemon.start(lab, config);
    try {
      const url = await daemon.ready();
      const data = await daemon.until<Tunnels>(url, TUNNELS, (d) => d.tunnels[0]?.hooks?.ok === true);
      const tunnel = data.tunnels[0];
      expect(tunnel?.state).toBe("OPEN");
      expect(tunnel?.privateAddress).toEqual({ ip: second, port: 41_010 });
      expect(existsSync(hookFile)).toBe(true);
      const heard = readFileSync(hookFile, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
      expect(heard.at(-1)).toEqual({ ip: second, port: "41010" });
      expect(second).not.toBe(lab.lanIp);
    } finally {
      expect(await daemon.stop()).toBe(0);
    }
  });
});
