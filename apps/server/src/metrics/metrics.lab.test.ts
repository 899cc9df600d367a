import { createTestLab } from "@autostun/netlab/testing";
import { expect, test } from "vitest";
import { LAB_ECHO, labConfig, scrapeInLan, startLabServices } from "../lab/testing/lab-services.js";
import { LanDaemon } from "../lab/testing/lan-daemon.js";
import { WanPeer } from "../lab/testing/wan-peer.js";
import { parseMetrics, sampleValue } from "./testing/scrape.js";

/**
 * Prometheus' view of a real tunnel: `autostun serve` in the LAN of a NAT1 lab, a peer on the WAN side
 * talking through the router to the LAN service, and `/metrics` scraped between its messages.
 */

const LOCAL_PORT = 40_777;
type Tunnel = { state: string; publicAddress: { ip: string; port: number } | null };

test("/metrics shows a lab tunnel open on its public port and its bytes growing while a WAN peer sends", {
  timeout: 180_000,
}, async (context) => {
  const lab = await createTestLab({ nat: "NAT1", portPreserving: true, stun: "ours" }, context);
  const keepalive = await startLabServices(lab);
  const config = await lab.writeConfig(
    labConfig(keepalive, {
      tunnels: [{ id: "lab", localPort: LOCAL_PORT, target: LAB_ECHO }],
    }),
  );
  const daemon = LanDaemon.start(lab, config);
  const url = await daemon.ready();
  const open = await daemon.until<{ tunnels: Tunnel[] }>(
    url,
    "{ tunnels { state publicAddress { ip port } } }",
    (d) => d.tunnels[0]?.state === "OPEN",
  );
  const at = open.tunnels[0]?.publicAddress as { ip: string; port: number };
  const scrape = async () => parseMetrics(await scrapeInLan(lab, url, daemon.token));
  const bytesIn = (samples: ReturnType<typeof parseMetrics>) =>
    sampleValue(samples, "autostun_tunnel_bytes_in_total", { tunnel: "lab" });

  const idle = await scrape();
  expect(sampleValue(idle, "autostun_tunnel_state", { tunnel: "lab", state: "OPEN" })).toBe(1);
  expect(sampleValue(idle, "autostun_tunnel_public_port", { tunnel: "lab" })).toBe(at.port);
  expect(bytesIn(idle)).toBe(0);

  const peer = WanPeer.open(lab, await lab.addWanAddress(), at);
  const first = "first line from the internet side";
  peer.send(first);
  expect(await peer.echoed(first)).toBe(true);
  const afterFirst = await scrape();
  expect(bytesIn(afterFirst)).toBe(first.length + 1);
  expect(sampleValue(afterFirst, "autostun_tunnel_bytes_out_total", { tunnel: "lab" })).toBe(
    first.length + 1,
  );
  expect(sampleValue(afterFirst, "autostun_tunnel_connections_active", { tunnel: "lab" })).toBe(1);

  const second = "a second, longer line from the same peer, still on the same connection";
  peer.send(second);
  expect(await peer.echoed(second)).toBe(true);
  const afterSecond = await scrape();
  expect(bytesIn(afterSecond)).toBe(first.length + second.length + 2);
  expect(sampleValue(afterSecond, "autostun_tunnel_connections_handled_total", { tunnel: "lab" })).toBe(1);

  await peer.end();
  expect(await daemon.stop()).toBe(0);
});
