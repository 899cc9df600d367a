import { once } from "node:events";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { tunnelSchema } from "@autostun/config";
import type { Logger } from "@autostun/plugins-api";
import type { TunnelStatus } from "@autostun/relay";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TunnelAnnouncer } from "./tunnel-announcer.js";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** An OPEN tunnel whose keep-alive leaves from `privateIp` on port 40 000. */
function openStatus(privateIp: string): TunnelStatus {
  return {
    id: "qb",
    state: "OPEN",
    reason: "open",
    localPort: 40_000,
    publicAddress: { ip: "198.51.100.7", port: 41_000 },
    privateAddress: { ip: privateIp, port: 40_000 },
    stunServer: "stun.test:3478",
    lastKeepaliveAt: new Date(),
    lastRecheckAt: undefined,
    lastRecheckError: undefined,
    recoveryCount: 0,
    lastRecoveryAt: undefined,
    openSince: new Date(),
    lastRecoveryMs: undefined,
    failedAttempts: 0,
    nextRetryAt: undefined,
    path: "userspace",
    pathCost: "",
    listenPort: 40_000,
  };
}

async function webhookReceiver() {
  const bodies: { private: { ip: string; port: number } }[] = [];
  const server = createServer(async (request: IncomingMessage, response) => {
    let text = "";
    for await (const chunk of request) text += chunk;
    bodies.push(JSON.parse(text));
    response.end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies };
}

describe("hooks get the private side of the tunnel's own mapping", () => {
  it("on a host with two addresses, the one the keep-alive leaves from, not the host's first", async () => {
    const hostAddresses = Object.values(networkInterfaces()).flatMap((list) =>
      (list ?? []).map((a) => a.address),
    );
    // The routed address here is one no interface lists first: the second of a two-interface host.
    const routed = "10.77.0.5";
    expect(hostAddresses).not.toContain(routed);

    const dir = mkdtempSync(join(tmpdir(), "autostun-hook-"));
    const envFile = join(dir, "private-ip");
    const receiver = await webhookReceiver();
    const config = tunnelSchema.parse({
      id: "qb",
      target: "127.0.0.1:6881",
      hooks: {
        command: [
          process.execPath,
          "-e",
          "const e = process.env; require('node:fs').writeFileSync(process.argv[1], e.AUTOSTUN_PRIVATE_IP + ':' + e.AUTOSTUN_PRIVATE_PORT)",
          envFile,
        ],
        webhook: { url: receiver.url },
      },
    });
    let changes = 0;
    const announcer = new TunnelAnnouncer({
      config,
      resolveDownloader: undefined,
      logger: () => quiet,
      verifyHost: "127.0.0.1",
      onChange: () => changes++,
    });
    announcer.begin();
    announcer.opened(openStatus(routed), 6881);
    await vi.waitUntil(() => changes > 0, { timeout: 15_000 });

    expect(announcer.hookRun()).toMatchObject({ command: { ok: true }, webhook: { ok: true } });
    expect(readFileSync(envFile, "utf8")).toBe(`${routed}:40000`);
    expect(receiver.bodies.map((body) => body.private)).toEqual([{ ip: routed, port: 40_000 }]);
    await announcer.end();
  });
});
