import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tinyTorrent } from "@autostun/downloaders/testing";
import type { Lab } from "@autostun/netlab";
import { createTestLab } from "@autostun/netlab/testing";
import { describe, expect, test } from "vitest";
import { refusal, SAVE_TUNNEL } from "../graphql/testing/save-tunnel.js";
import { labConfig, startKeepalive } from "./testing/lab-services.js";
import { LanDaemon } from "./testing/lan-daemon.js";
import {
  downloaderSettings,
  type LanClient,
  PUSHED_TUNNEL_FIELDS,
  type PushedTunnel,
  readClientPort,
  startAria2,
  startDeluge,
  startQbittorrent,
  startTransmission,
} from "./testing/lan-downloaders.js";

/**
 * `autostun serve` in the LAN namespace of a NAT1 lab with the real clients from Debian beside it:
 * each tunnel pushes its public port to its client, and the test asks every client through its own API
 * (plain HTTP, not our adapters) which port it uses and connects to it — after the tunnel opens, after
 * the router lost its mappings and after its WAN address changed. Once with a router that keeps the
 * port (the public port is P itself, so our listener must leave P to the client) and once with one that
 * remaps. aria2, which ignores a runtime port change, is run with and without the restart hook; one
 * tunnel starts with a wrong password and is fixed through saveTunnel; one tunnel has a command hook and
 * a webhook receiver.
 */

const QB_PASSWORD = "lab-qbt-password";
const TR_PASSWORD = "lab-tr-password";
const ARIA2_SECRET = "lab-aria2-secret";

type Row = PushedTunnel & {
  hooks: { ok: boolean; error: string | null; publicAddress: { ip: string; port: number } } | null;
};
type Tunnels = { tunnels: Row[] };
const TUNNELS = `{ tunnels { ${PUSHED_TUNNEL_FIELDS} hooks { ok error publicAddress { ip port } } } }`;
const SAVE = SAVE_TUNNEL;

/** A webhook receiver in the LAN namespace that appends each body (and the secret header) to a file. */
async function startReceiver(lab: Lab, file: string, port: number): Promise<string> {
  const script = `require("node:http").createServer((q,r)=>{let b="";q.on("data",c=>b+=c);q.on("end",()=>{require("node:fs").appendFileSync(${JSON.stringify(file)},JSON.stringify({key:q.headers["x-lab-key"],body:JSON.parse(b)})+"\\n");r.writeHead(204).end()})}).listen(${port},"127.0.0.1")`;
  lab.spawn("lan", process.execPath, ["-e", script]).stdout?.resume();
  await lab.waitForListening("lan", { tcp: [`127.0.0.1:${port}`] });
  return `http://127.0.0.1:${port}/autostun`;
}

/** The argv of a command hook that appends the AUTOSTUN_* variables it got to a file. */
function recordingCommand(file: string): string[] {
  const script = `require("node:fs").appendFileSync(${JSON.stringify(file)},JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([k])=>k.startsWith("AUTOSTUN_"))))+"\\n")`;
  return [process.execPath, "-e", script];
}

function lines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}

describe.concurrent("downloaders told the public port by autostun serve, behind a NAT1 router", () => {
  for (const portPreserving of [true, false]) {
    const router = portPreserving ? "port-preserving" : "remapping";
    test(`${router}: qBittorrent, Transmission and Deluge report and listen on the public port, after open, a mapping loss and a new WAN address; aria2 only with its restart hook`, {
      timeout: 600_000,
    }, async (context) => {
      const lab = await createTestLab({ nat: "NAT1", portPreserving, stun: "ours" }, context);
      const files = mkdtempSync(join(tmpdir(), "autostun-lab-hooks-"));
      const hookFile = join(files, "command.jsonl");
      const webhookFile = join(files, "webhook.jsonl");
      const torrent = tinyTorrent("http://127.0.0.1:1/announce");
      const [keepalive, qb, tr, trk, de, a2hook, a2plain, webhook] = await Promise.all([
        startKeepalive(lab),
        startQbittorrent(lab, 18_080, QB_PASSWORD),
        startTransmission(lab, 19_091, TR_PASSWORD),
        startTransmission(lab, 19_092, TR_PASSWORD),
        startDeluge(lab, 18_112, 58_846),
        startAria2(lab, 16_800, 46_801, ARIA2_SECRET, torrent),
        startAria2(lab, 16_801, 46_802, ARIA2_SECRET, torrent),
        startReceiver(lab, webhookFile, 19_900),
      ]);
      const target = "127.0.0.1:6881";
      const config = await lab.writeConfig(
        labConfig(
          keepalive,
          {
            tunnels: [
              {
                id: "tr",
                localPort: 41_002,
                target,
                downloader: downloaderSettings(tr),
                hooks: {
                  command: recordingCommand(hookFile),
                  webhook: { url: webhook, secret: "lab-hook-key", secretHeader: "X-Lab-Key" },
                },
              },
              { id: "de", localPort: 41_003, target, downloader: downloaderSettings(de) },
              // The kernel DNATs P to the port the client was told, on the target's host.
              {
                id: "trk",
                localPort: 41_006,
                target,
                forward: "nftables",
                downloader: downloaderSettings(trk),
              },
              {
                id: "a2hook",
                localPort: 41_004,
                target,
                downloader: { ...downloaderSettings(a2hook), restartHook: { command: a2hook.restartHook } },
              },
              { id: "a2plain", localPort: 41_005, target, downloader: downloaderSettings(a2plain) },
            ],
          },
          3,
        ),
      );
      const daemon = LanDaemon.start(lab, config);
      const url = await daemon.ready();
      const row = (data: Tunnels, id: string) => data.tunnels.find((t) => t.id === id) as Row;

      // A wrong password: the tunnel opens all the same and says plainly what is wrong.
      const qbTunnel = (password: string) => ({
        id: "qb",
        localPort: 41_001,
        target,
        downloader: { ...downloaderSettings(qb), password },
      });
      expect(refusal(await daemon.gql(url, SAVE, { input: qbTunnel("not-the-password") }))).toBe("");
      const refused = row(
        await daemon.until<Tunnels>(
          url,
          TUNNELS,
          (d) => row(d, "qb")?.downloader?.state === "FAILED",
          120_000,
        ),
        "qb",
      );
      expect(refused.state).toBe("OPEN");
      expect(refused.downloader).toMatchObject({ errorKind: "CREDENTIALS_REFUSED", verifiedPort: null });
      expect(refused.downloader?.error).toMatch(/refused the user name or password/);
      const LOOPBACK = `mutation { runChecks(ids: ["downloader.loopback"]) { id status summary } }`;
      type Checked = { runChecks: { id: string; status: string; summary: string }[] };
      const failing = (await daemon.gql<Checked>(url, LOOPBACK)).data?.runChecks.find(
        (c) => c.id === "downloader.loopback",
      );
      expect(failing?.status, failing?.summary).toBe("FAIL");
      // Fixed through the API: the tunnel restarts with the right password and the push takes.
      expect(refusal(await daemon.gql(url, SAVE, { input: qbTunnel(QB_PASSWORD) }))).toBe("");

      const clients: [string, LanClient][] = [
        ["qb", qb],
        ["tr", tr],
        ["de", de],
        ["trk", trk],
      ];
      /**
       * True when a WAN peer's TCP connect to the public address completes (the client answered it)
       * within 30 s. After the router lost its mappings, one that keeps ports maps P again only when a
       * kept-alive connection next sends (conntrack picks it up mid-stream); until then it refuses inbound,
       * and nothing in the tunnel moved that the test could wait for.
       */
      const reachable = async (current: () => Promise<{ ip: string; port: number }>, from: string) => {
        const deadline = Date.now() + 30_000;
        for (;;) {
          // Asked each time: a tunnel that notices the loss a keep-alive later moves once more, and a
          // peer dialling the address it had before would wait in vain.
          const to = await current();
          const address = `TCP4:${to.ip}:${to.port},bind=${from},connect-timeout=5`;
          const result = await lab.exec("wan", "socat", ["-u", "OPEN:/dev/null", address], {
            timeoutMs: 15_000,
          });
          if (result.code === 0) return true;
          if (Date.now() > deadline) return false;
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
      };
      const peerIp = await lab.addWanAddress();
      /**
       * aria2 without its hook, settled: OPEN on an address `fresh` accepts, and its push of that very port
       * ended ignored. An error kept from an earlier port, while the tunnel recovers or pushes again, is not.
       */
      const ignoredOnCurrentPort = (t: Row | undefined, fresh: (row: Row) => boolean) =>
        t?.state === "OPEN" &&
        fresh(t) &&
        t.downloader?.errorKind === "IGNORED_CHANGE" &&
        Boolean(t.downloader.error?.includes(`port ${t.publicAddress?.port}:`));
      /** Waits until every tunnel is OPEN and settled on an address `fresh` accepts, then checks each client. */
      const round = async (what: string, fresh: (row: Row) => boolean, settled = (_d: Tunnels) => true) => {
        const data = await daemon.until<Tunnels>(
          url,
          TUNNELS,
          (d) =>
            settled(d) &&
            ["qb", "tr", "de", "trk", "a2hook"].every((id) => {
              const t = row(d, id);
              return (
                t?.state === "OPEN" &&
                fresh(t) &&
                t.downloader?.state === "VERIFIED" &&
                t.downloader.verifiedPort === t.publicAddress?.port
              );
            }) &&
            ignoredOnCurrentPort(row(d, "a2plain"), fresh),
          240_000,
        );
        // A tunnel may still notice the loss a keep-alive later and move once more: each client is
        // compared with its tunnel as it is when the client is asked, until the two agree.
        const agreed = async (id: string, client: LanClient, probe: (t: Row) => number | undefined) => {
          const deadline = Date.now() + 90_000;
          for (;;) {
            const tunnel = row((await daemon.gql<Tunnels>(url, TUNNELS)).data as Tunnels, id);
            const port = tunnel.publicAddress?.port;
            const answer = await readClientPort(lab, client, probe(tunnel));
            const settledHere = tunnel.state === "OPEN" && tunnel.downloader?.verifiedPort === port;
            if (settledHere && answer.port === port && answer.listening) return tunnel;
            if (Date.now() > deadline)
              throw new Error(`${id} ${what}: ${JSON.stringify({ tunnel, answer })}\n${daemon.stderr}`);
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        };
        const current = new Map<string, Row>();
        for (const [id, client] of clients) {
          const tunnel = await agreed(id, client, () => undefined);
          current.set(id, tunnel);
          const publicPort = tunnel.publicAddress?.port as number;
          if (portPreserving) {
            // P is the public port and belongs to the client: no listener of ours may hold it.
            expect(tunnel.localPort).toBe(publicPort);
            expect(tunnel.listenPort).not.toBe(publicPort);
          } else {
            expect(tunnel.localPort).not.toBe(publicPort);
          }
          expect(tunnel.path).toBe(id === "trk" ? "NFTABLES" : "USERSPACE");
          // From the internet, through the router and our forwarding. Through the kernel's DNAT (trk) the
          // connect itself is the client's; on the user-space paths our listener answers first, and the
          // BitTorrent handshake lab test shows the client taking the peer.
          expect(
            await reachable(async () => {
              const now = row((await daemon.gql<Tunnels>(url, TUNNELS)).data as Tunnels, id);
              return (now.publicAddress ?? tunnel.publicAddress) as { ip: string; port: number };
            }, peerIp),
            `${id} ${what}`,
          ).toBe(true);
        }
        // aria2 restarted by its hook reports and listens on the public port too.
        await agreed("a2hook", a2hook, (t) => t.publicAddress?.port);
        const plain = row(data, "a2plain");
        expect(plain.state).toBe("OPEN");
        expect(plain.downloader?.verifiedPort).toBeNull();
        expect(plain.downloader?.error).toMatch(/aria2 did not take port \d+: configure a restart hook/);
        expect((await readClientPort(lab, a2plain, plain.publicAddress?.port)).listening).toBe(false);

        // The hooks heard of this address: the command in its environment, the webhook in its body.
        const trTunnel = current.get("tr") as Row;
        const trAddress = trTunnel.publicAddress as { ip: string; port: number };
        // The hooks run beside the push and may finish after it; a port-preserving router keeps the port
        // across a new WAN address, so only the whole address tells this run from the last one.
        const heard = await daemon.until<Tunnels>(
          url,
          TUNNELS,
          (d) =>
            row(d, "tr").hooks?.publicAddress?.ip === trAddress.ip &&
            row(d, "tr").hooks?.publicAddress?.port === trAddress.port,
          30_000,
        );
        expect(row(heard, "tr").hooks).toMatchObject({ ok: true, error: null, publicAddress: trAddress });
        expect(lines<Record<string, string>>(hookFile).at(-1)).toMatchObject({
          AUTOSTUN_TUNNEL_ID: "tr",
          AUTOSTUN_PROTOCOL: "tcp",
          AUTOSTUN_PUBLIC_IP: trAddress.ip,
          AUTOSTUN_PUBLIC_PORT: String(trAddress.port),
          AUTOSTUN_PRIVATE_IP: lab.lanIp,
          AUTOSTUN_PRIVATE_PORT: String(trTunnel.localPort),
        });
        expect(lines<{ key: string; body: Record<string, unknown> }>(webhookFile).at(-1)).toMatchObject({
          key: "lab-hook-key",
          body: { event: "address.changed", tunnelId: "tr", public: trAddress },
        });
        return data;
      };

      const opened = await round("after open", (t) => t.publicAddress?.ip === lab.publicIp);
      // Every client answers with the right credentials now (aria2 is asked between its restarts).
      const passing = (await daemon.gql<Checked>(url, LOOPBACK)).data?.runChecks.find(
        (c) => c.id === "downloader.loopback",
      );
      expect(passing?.status, passing?.summary).toBe("PASS");
      const before = new Map(opened.tunnels.map((t) => [t.id, t.publicAddress?.port]));

      await lab.resetMappings();
      // A remapping router hands out new public ports (a keep-alive whose next packet happens to get its
      // old port back keeps it), which the clients must be told. One that keeps the port gives the same
      // mapping back on the keep-alive's next packet: the clients must stay on it.
      const moved = (d: Tunnels) =>
        portPreserving || ["qb", "tr", "de"].some((id) => row(d, id).publicAddress?.port !== before.get(id));
      const reset = await round("after the router lost its mappings", () => true, moved);
      const hooksSoFar = lines(hookFile).length;

      const newIp = await lab.changePublicIp();
      await round("after a new WAN address", (t) => t.publicAddress?.ip === newIp);
      expect(lines(hookFile).length).toBeGreaterThan(hooksSoFar);
      expect(reset.tunnels.length).toBe(6);

      const everything = JSON.stringify(await daemon.gql(url, TUNNELS)) + daemon.stdout + daemon.stderr;
      for (const secret of [QB_PASSWORD, TR_PASSWORD, ARIA2_SECRET, "not-the-password", "lab-hook-key"])
        expect(everything).not.toContain(secret);
      expect(await daemon.stop()).toBe(0);
      // The relay-port redirects and the kernel DNAT went with the tunnels.
      expect((await lab.exec("lan", "nft", ["list", "ruleset"])).stdout).not.toContain("autostun");
    });
  }
});
