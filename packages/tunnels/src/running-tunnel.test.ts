import { tunnelSchema } from "@autostun/config";
import type { Logger } from "@autostun/plugins-api";
import { BanList, ConnectionTable, NftablesTable, type TunnelState } from "@autostun/relay";
import { FakeNetwork, recordingNft } from "@autostun/relay/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RunningTunnel, type TunnelEnvironment } from "./running-tunnel.js";

/**
 * A configured tunnel with its forwarding, driven through a scripted network (no sockets) and a
 * scripted nft: what the daemon logs and which rulesets it loads as the gateway moves the ports.
 */

interface LogLine {
  message: string;
  fields: Record<string, unknown> | undefined;
}

const running: RunningTunnel[] = [];
afterEach(async () => {
  for (const tunnel of running.splice(0)) await tunnel.stop();
});

async function runTunnel(forward: "userspace" | "nftables", root: boolean) {
  const network = new FakeNetwork();
  const runner = recordingNft(root);
  const lines: LogLine[] = [];
  const logger: Logger = {
    debug: () => {},
    info: (message, fields) => lines.push({ message, fields }),
    warn: (message, fields) => lines.push({ message, fields }),
    error: (message, fields) => lines.push({ message, fields }),
  };
  const table = new NftablesTable(runner);
  const env: TunnelEnvironment = {
    stunServers: ["stun.test:3478"],
    keepalive: { target: "keep.test:80", intervalSeconds: 10 },
    bans: new BanList(),
    table: new ConnectionTable({ flushIntervalMs: 0 }),
    geo: async () => undefined,
    nftables: () => table,
    runner,
    isPrivileged: root,
    logger: () => logger,
    timing: { recheckIntervalMs: 60_000, stableAfterMs: 0 },
    network: () => network,
  };
  const config = tunnelSchema.parse({
    id: "qb",
    target: "127.0.0.1:6881",
    forward,
    downloader: { kind: "qbittorrent", url: "http://127.0.0.1:8080" },
  });
  const tunnel = await RunningTunnel.create(config, "config", env);
  running.push(tunnel);
  const reach = (state: TunnelState, localPort?: number) =>
    new Promise<void>((resolve) => {
      const subscription = tunnel.tunnel.onChange(({ status }) => {
        if (status.state === state && (localPort === undefined || status.localPort === localPort)) {
          subscription.dispose();
          resolve();
        }
      });
    });
  return { tunnel, network, runner, lines, reach };
}

/** A state change line (`tunnel qb OPEN -> RECOVERING: …`), which every change has once by design. */
const STATE_LINE = /^tunnel qb [A-Z]+ -> [A-Z]+:/;

describe("a tunnel whose gateway changes its mind about the port", () => {
  it("logs a path change once, with why, the path and the ports", async () => {
    const { tunnel, network, lines, reach } = await runTunnel("userspace", false);
    const open = reach("OPEN");
    await tunnel.start();
    await open;
    const first = lines.filter((line) => !STATE_LINE.test(line.message));
    expect(first).toHaveLength(1);
    expect(first[0]?.fields).toMatchObject({ path: "listen-on-p", localPort: 40_000, publicPort: 41_000 });

    // The gateway now keeps the port: the downloader must listen on P itself (nftables is not allowed).
    const mark = lines.length;
    network.portOffset = 0;
    const reopened = reach("OPEN");
    network.loseKeepAlive("read ECONNRESET");
    await reopened;
    const change = lines.slice(mark).filter((line) => !STATE_LINE.test(line.message));
    expect(change.map((line) => line.message)).toEqual([
      expect.stringMatching(
        /^tunnel qb: the gateway keeps port 40000 .*the downloader listens on 40000 itself/,
      ),
    ]);
    expect(change[0]?.fields).toMatchObject({
      path: "downloader-on-p",
      localPort: 40_000,
      publicPort: 40_000,
      downloaderPort: 40_000,
    });
    expect(tunnel.tunnel.status.path).toBe("direct-downloader");
  });

  it("forward: nftables loads one ruleset when the local port and the downloader's port both move", async () => {
    const { tunnel, network, runner, reach } = await runTunnel("nftables", true);
    const open = reach("OPEN");
    await tunnel.start();
    await open;
    await vi.waitUntil(() => runner.scripts.some((script) => script.includes("40000")));
    // A downloader on this host gets peers on the address they arrived at (libtorrent binds per interface).
    expect(runner.scripts.at(-1)).toMatch(/tcp dport 40000 counter name "\S+" redirect to :41000/);

    // P is taken meanwhile (the tunnel moves to a fresh port) and the gateway remaps: both ports move.
    const loads = runner.scripts.length;
    network.busyPorts.add(40_000);
    network.portOffset = 2000;
    const moved = reach("OPEN", 40_001);
    network.loseKeepAlive("read ECONNRESET");
    await moved;
    await vi.waitUntil(() => runner.scripts.length > loads);
    // Every load the move caused was asked for before or at the open; let queued work run out.
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    const reloads = runner.scripts.slice(loads);
    expect(reloads).toHaveLength(1);
    expect(reloads[0]).toMatch(/dport 40001/);
    expect(reloads[0]).toMatch(/redirect to :42001/);
    expect(reloads[0]).not.toMatch(/dport 40000\b/);
  });
});
