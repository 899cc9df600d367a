import { createTestLab } from "@autostun/netlab/testing";
import { describe, expect, test } from "vitest";
import type { ConnectionRecord } from "../connections/connection-record.js";
import { startKeepaliveTarget } from "../tunnel/testing/lab-tunnel.js";
import { knock, LabRelay } from "./lab-relay.js";
import { startWhoService } from "./lab-services.js";

/**
 * A port-preserving NAT1 router: the public port is P, so the downloader, which announces the port it
 * listens on, must listen on P on the same host as the tunnel. The "downloader" is a plain TCP server
 * (socat, SO_REUSEADDR like libtorrent) that says whom it sees and echoes; it binds P only after the
 * tunnel's keep-alive from P is connected, as a downloader told the port by the daemon would.
 */

describe.concurrent("the port-preserving gateway", () => {
  test("direct-downloader: the downloader listens on P itself; a re-punch moves to a new port and announces it", {
    timeout: 150_000,
  }, async (context) => {
    const lab = await createTestLab({ nat: "NAT1", portPreserving: true, stun: "ours" }, context);
    const P = 40_777;
    const relay = LabRelay.start(lab, {
      id: "lab",
      mode: "direct-downloader",
      stunServers: [...lab.stunServers.tcp],
      keepaliveTarget: await startKeepaliveTarget(lab),
      localPort: P,
    });
    const open = await relay.waitFor((s) => s.state === "OPEN", "OPEN");
    expect(open.publicAddress?.port).toBe(P);
    expect(open.path).toBe("direct-downloader");
    expect(open.listenPort).toBeUndefined();
    await relay.waitFor(() => relay.ports.length > 0, "the first port announcement");
    expect(relay.ports).toEqual([{ localPort: P, publicPort: P }]);

    await startWhoService(lab, "0.0.0.0", P);
    const peer = await lab.addWanAddress();
    const first = await knock(lab, peer, open.publicAddress!, "to-the-downloader");
    expect(first.got).toMatch(
      new RegExp(`^peer=${peer.replaceAll(".", "\\.")} port=\\d+\nto-the-downloader$`),
    );

    // A new WAN address forces a re-punch; P now belongs to the downloader, so the tunnel moves.
    const from = relay.seen.length;
    await lab.changePublicIp();
    const moved = await relay.waitFor(
      (s) => relay.seen.indexOf(s) >= from && s.state === "OPEN" && s.localPort !== P,
      "OPEN on a new port",
    );
    const Q = moved.localPort!;
    expect(moved.publicAddress).toEqual({ ip: lab.publicIp, port: Q });
    await relay.waitFor(() => relay.ports.length > 1, "the second port announcement");
    expect(relay.ports.at(-1)).toEqual({
      localPort: Q,
      publicPort: Q,
      previous: { localPort: P, publicPort: P },
    });

    // The daemon pushes Q; the downloader listens there, and peers reach it again.
    await startWhoService(lab, "0.0.0.0", Q);
    const again = await knock(lab, peer, moved.publicAddress!, "after-the-move");
    expect(again.got).toMatch(/after-the-move$/);
    await relay.stop();
  });

  test("relay port: nftables redirects P to our listener, which forwards to the downloader on P with bans, table and 127.x addresses", {
    timeout: 120_000,
  }, async (context) => {
    const lab = await createTestLab({ nat: "NAT1", portPreserving: true, stun: "ours" }, context);
    const P = 40_888;
    const relay = LabRelay.start(lab, {
      id: "lab",
      mode: "relay-port",
      stunServers: [...lab.stunServers.tcp],
      keepaliveTarget: await startKeepaliveTarget(lab),
      localPort: P,
      target: `127.0.0.1:${P}`,
    });
    const open = await relay.waitFor((s) => s.state === "OPEN", "OPEN");
    expect(open.publicAddress?.port).toBe(P);
    expect(open.path).toBe("userspace");
    expect(open.listenPort).toBeDefined();
    expect(open.listenPort).not.toBe(P);
    expect(open.pathCost).toContain(`relay port ${open.listenPort}`);
    await relay.waitForForwarding(P);

    await startWhoService(lab, "127.0.0.1", P);
    const peer = await lab.addWanAddress();
    const first = await knock(lab, peer, open.publicAddress!, "via-the-relay");
    const [seenAs, echoed] = first.got.split("\n");
    expect(echoed).toBe("via-the-relay");
    // The downloader saw a 127.x address of our making, and the table turns it back into the peer.
    const shown = /^peer=(127\.\d+\.\d+\.\d+) port=(\d+)$/.exec(seenAs ?? "");
    expect(shown, `downloader saw ${seenAs}`).not.toBeNull();
    const [record] = await relay.ask<ConnectionRecord[]>({ op: "connections" });
    expect(record?.proxyAddress).toBe(`${shown![1]}:${shown![2]}`);
    const resolved = await relay.ask<ConnectionRecord | null>({
      op: "resolve",
      address: record!.proxyAddress!,
    });
    expect(resolved?.remoteAddress.startsWith(`${peer}:`)).toBe(true);

    await relay.ask({ op: "ban", cidr: peer });
    expect((await knock(lab, peer, open.publicAddress!, "banned")).got).toBe("");
    await relay.stop();
    const table = await lab.exec("lan", "nft", ["list", "tables"]);
    expect(table.stdout).not.toContain("autostun");
  });
});
