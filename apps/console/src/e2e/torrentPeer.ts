import type { ChildProcess } from "node:child_process";
import { writeSeedTorrent as writeTorrentAndData } from "@autostun/downloaders/testing";
import type { Lab } from "@autostun/netlab";

// qBittorrent (libtorrent) turns an incoming connection away at once while it has no active torrent,
// and drops one that never completes the BitTorrent handshake. A peer that must stay connected through
// the tunnel therefore needs a torrent the client serves and a real handshake for it.

/**
 * A one-piece, trackerless torrent and its data in `dir`, so a client started with it seeds at once
 * without reaching out anywhere. Returns the .torrent file and the info hash (hex).
 */
export async function writeSeedTorrent(dir: string): Promise<{ file: string; infoHash: string }> {
  const { file, infoHash } = await writeTorrentAndData({ dir });
  return { file, infoHash };
}

/**
 * A BitTorrent peer on the WAN side: connects from `from` to the tunnel's public address, sends the
 * handshake for `infoHash` and a keep-alive every few seconds, and stays until the other side closes.
 */
export class TorrentPeer {
  private output = "";
  /** Resolves when the connection has ended, for whatever reason. */
  readonly closed: Promise<void>;

  private constructor(readonly child: ChildProcess) {
    child.stdout?.on("data", (chunk: Buffer) => {
      this.output += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      this.output += chunk.toString();
    });
    this.closed = new Promise((resolve) => child.once("close", () => resolve()));
  }

  static open(lab: Lab, from: string, to: { ip: string; port: number }, infoHash: string): TorrentPeer {
    const script = `
const net = require("node:net");
const hash = Buffer.from(${JSON.stringify(infoHash)}, "hex");
const id = Buffer.from("-AS0001-" + require("node:crypto").randomBytes(6).toString("hex"));
const s = net.connect({ host: ${JSON.stringify(to.ip)}, port: ${to.port}, localAddress: ${JSON.stringify(from)} }, () => {
  s.write(Buffer.concat([Buffer.from([19]), Buffer.from("BitTorrent protocol"), Buffer.alloc(8), hash, id]));
  setInterval(() => s.write(Buffer.alloc(4)), 5000);
});
let got = Buffer.alloc(0);
s.on("data", (d) => {
  if (got.length >= 68) return;
  got = Buffer.concat([got, d]);
  if (got.length >= 68 && got.subarray(28, 48).equals(hash)) console.log("handshake answered");
});
s.on("error", (e) => console.error(String(e)));
s.on("close", () => { console.log("connection closed"); process.exit(0); });
`;
    return new TorrentPeer(lab.spawn("wan", process.execPath, ["-e", script]));
  }

  /** True once the client answered with a handshake for the same torrent; false if it closed first. */
  async answered(timeoutMs = 15_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes("handshake answered")) {
      if (this.child.exitCode !== null || this.child.signalCode !== null || Date.now() > deadline)
        return false;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return true;
  }

  /** What the peer printed, for failure messages. */
  log(): string {
    return this.output;
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}
