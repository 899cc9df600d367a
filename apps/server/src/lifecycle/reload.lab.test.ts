import { readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Lab } from "@autostun/netlab";
import { createTestLab } from "@autostun/netlab/testing";
import { expect, test } from "vitest";
import { LAB_ECHO, labConfig, startLabServices } from "../lab/testing/lab-services.js";
import { LanDaemon } from "../lab/testing/lan-daemon.js";
import { WanPeer } from "../lab/testing/wan-peer.js";

/**
 * `autostun serve` in the LAN of a NAT1 lab with two tunnels, reloaded the way a service manager does it:
 * the config file edited, then SIGHUP. A WAN peer holds a connection through each tunnel meanwhile.
 * Last, SIGTERM: the daemon must exit in time and leave none of its nftables rules behind.
 */

const OTHER = "127.0.0.1:7001";
type Tunnel = {
  id: string;
  state: string;
  recoveryCount: number;
  publicAddress: { ip: string; port: number } | null;
};
const TUNNELS = "{ tunnels { id state recoveryCount publicAddress { ip port } } }";

/** Waits until the daemon logged `message` once more than it had before the signal. */
async function logged(daemon: LanDaemon, message: string, before: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (daemon.stderr.split(message).length - 1 <= before) {
    if (Date.now() > deadline) throw new Error(`the daemon never logged "${message}":\n${daemon.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** How long the shipped systemd unit waits after SIGTERM before it kills the daemon. */
function serviceStopTimeoutMs(): number {
  const unit = readFileSync(
    fileURLToPath(new URL("../../../../deploy/systemd/autostun.service", import.meta.url)),
  );
  const seconds = /^TimeoutStopSec=(\d+)s?$/m.exec(unit.toString())?.[1];
  if (!seconds) throw new Error("deploy/systemd/autostun.service has no TimeoutStopSec");
  return Number(seconds) * 1000;
}

const count = (daemon: LanDaemon, message: string) => daemon.stderr.split(message).length - 1;

async function hangup(daemon: LanDaemon, message: string): Promise<void> {
  const before = count(daemon, message);
  daemon.child.kill("SIGHUP");
  await logged(daemon, message, before);
}

/**
 * Knocks until the line comes back: kernel rules load right after OPEN, a first peer may be early. An
 * early peer is refused at once, so the knocks are bounded by time, not by count.
 */
async function reaches(lab: Lab, from: string, at: { ip: string; port: number }, line: string) {
  const deadline = Date.now() + 30_000;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const peer = WanPeer.open(lab, from, at);
    peer.send(`${line} ${attempt}`);
    if (await peer.echoed(`${line} ${attempt}`, 3_000)) return peer;
    peer.child.kill("SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`no WAN peer got "${line}" through ${at.ip}:${at.port} within 30 s`);
}

test("SIGHUP: a bad file keeps both tunnels and their peers; a change to one tunnel restarts only it; SIGTERM cleans up", {
  timeout: 240_000,
}, async (context) => {
  const lab = await createTestLab({ nat: "NAT1", portPreserving: true, stun: "ours" }, context);
  const keepalive = await startLabServices(lab);
  // The second service answers with a prefix, so a peer can tell which target it reached.
  lab.spawn("lan", "socat", ["TCP4-LISTEN:7001,bind=127.0.0.1,reuseaddr,fork", "EXEC:sed -u s/^/other-/"]);
  await lab.waitForListening("lan", { tcp: [OTHER] });
  const tunnels = (changing: string) => [
    { id: "keep", localPort: 40_701, target: LAB_ECHO },
    { id: "change", localPort: 40_702, target: changing, forward: "nftables" },
  ];
  const file = await lab.writeConfig(
    labConfig(keepalive, {
      tunnels: tunnels(LAB_ECHO),
    }),
  );
  const original = await readFile(file, "utf8");
  const daemon = LanDaemon.start(lab, file);
  const url = await daemon.ready();
  const open = async () => {
    const data = await daemon.until<{ tunnels: Tunnel[] }>(url, TUNNELS, (d) =>
      d.tunnels.every((t) => t.state === "OPEN"),
    );
    return new Map(data.tunnels.map((t) => [t.id, t]));
  };
  const before = await open();
  const keepAt = before.get("keep")?.publicAddress as { ip: string; port: number };
  const changeAt = before.get("change")?.publicAddress as { ip: string; port: number };
  const peerIp = await lab.addWanAddress();
  const keepPeer = await reaches(lab, peerIp, keepAt, "keep before");
  const changePeer = await reaches(lab, peerIp, changeAt, "change before");

  // A typo: the daemon says why, and nothing changes.
  await writeFile(file, original.replace(`"target": "${LAB_ECHO}"`, `"target": "127.0.0.1:port"`));
  await hangup(daemon, "configuration reload refused");
  expect(daemon.stderr).toMatch(/tunnels\[0\]\.target/);
  keepPeer.send("keep after the bad file");
  expect(await keepPeer.echoed("keep after the bad file")).toBe(true);
  changePeer.send("change after the bad file");
  expect(await changePeer.echoed("change after the bad file")).toBe(true);
  const afterBad = await open();
  for (const id of ["keep", "change"]) {
    expect(afterBad.get(id)?.publicAddress).toEqual(before.get(id)?.publicAddress);
    expect(afterBad.get(id)?.recoveryCount).toBe(before.get(id)?.recoveryCount);
  }

  // A real change to one tunnel: only that one restarts.
  const changed = original.replace(
    JSON.stringify(tunnels(LAB_ECHO), null, 2).replaceAll("\n", "\n  "),
    JSON.stringify(tunnels(OTHER), null, 2).replaceAll("\n", "\n  "),
  );
  expect(changed).not.toBe(original);
  await writeFile(file, changed);
  await hangup(daemon, "configuration reloaded");
  expect(daemon.stderr).toMatch(/"restarted":\["change"\]/);
  expect(daemon.stderr).toMatch(/"unchanged":\["keep"\]/);
  keepPeer.send("keep after the change");
  expect(await keepPeer.echoed("keep after the change")).toBe(true);
  const afterChange = await open();
  expect(afterChange.get("keep")?.publicAddress).toEqual(keepAt);
  expect(afterChange.get("keep")?.recoveryCount).toBe(before.get("keep")?.recoveryCount);
  const moved = await reaches(
    lab,
    peerIp,
    afterChange.get("change")?.publicAddress as typeof changeAt,
    "to other",
  );
  expect(moved.received).toMatch(/other-to other/);
  moved.child.kill("SIGKILL");
  changePeer.child.kill("SIGKILL");

  // SIGTERM with a live peer: a clean exit before the service manager would kill it (the systemd unit's
  // TimeoutStopSec), and the kernel rules of the nftables tunnel gone. How fast is printed, not asserted:
  // a loaded machine stretches every nft run of the stop.
  const stopAt = Date.now();
  expect(await daemon.stop()).toBe(0);
  const stopMs = Date.now() - stopAt;
  console.log(`SIGTERM with a live peer and an nftables tunnel: exited in ${stopMs} ms`);
  expect(stopMs).toBeLessThan(serviceStopTimeoutMs());
  expect(await keepPeer.closed).toBeGreaterThan(0);
  expect((await lab.exec("lan", "nft", ["list", "ruleset"])).stdout).not.toContain("autostun");
});
