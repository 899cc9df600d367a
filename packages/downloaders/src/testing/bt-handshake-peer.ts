/**
 * Lab fixture: a BitTorrent peer on the internet side. Run in the WAN namespace as
 * `node --import tsx bt-handshake-peer.ts '{"host","port","infoHash","localAddress"}'`; prints the
 * outcome of one handshake as a JSON line.
 */
import { exchangeHandshake } from "./bt-handshake.js";

const { host, port, infoHash, localAddress } = JSON.parse(process.argv[2] ?? "{}") as {
  host: string;
  port: number;
  infoHash: string;
  localAddress?: string;
};
const outcome = await exchangeHandshake({
  host,
  port,
  infoHash: Buffer.from(infoHash, "hex"),
  ...(localAddress ? { localAddress } : {}),
});
process.stdout.write(`${JSON.stringify(outcome)}\n`);
