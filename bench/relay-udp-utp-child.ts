/**
 * Child process of the relay-udp-utp bench, run inside the lab's LAN namespace: holds a UDP mapping on
 * local port `localPort` with a UdpMapping (the lab's STUN servers) and forwards what peers send to it
 * to `target` with a UdpForwarder, replies leaving from the mapping's own socket, as a tunnel does.
 * Prints `{"publicAddress": {...}}` once the mapping is OPEN; on SIGTERM the forwarder's stats and
 * the sources of the datagrams that reached it.
 * Runs alone so its CPU time is the tunnel's.
 * argv: <localPort> <target host:port> <stun server>…
 */
import type { Logger } from "@autostun/plugins-api";
import { UdpForwarder, UdpMapping, UdpStunPort, validateTarget } from "@autostun/relay";

const [portText, target, ...stunServers] = process.argv.slice(2);
if (!portText || !target || stunServers.length === 0)
  throw new Error("usage: relay-udp-utp-child.ts <localPort> <target host:port> <stun server>…");
const quiet = () => {};
const logger = { debug: quiet, info: quiet, warn: console.error, error: console.error } as unknown as Logger;

const port = await UdpStunPort.open(Number(portText));
const mapping = new UdpMapping({ id: "bench", stunServers, adopt: port, logger });
let forwarder: UdpForwarder | undefined;
// Who the forwarder heard from: the downloader only, unless something else reaches the sessions.
const sources = new Set<string>();
port.onDatagram((data, from) => {
  // STUN's magic cookie at bytes 4-7 tells a stray STUN answer from a peer's uTP.
  const stun = data.length >= 20 && data.readUInt32BE(4) === 0x2112a442;
  if (forwarder) sources.add(`${from.address}:${from.port}${stun ? " (STUN)" : ""}`);
});
const validTarget = await validateTarget("bench", target);
mapping.onChange(({ status }) => {
  if (status.state !== "OPEN" || forwarder) return;
  forwarder = new UdpForwarder({ port, target: validTarget, logger });
  console.log(JSON.stringify({ publicAddress: status.publicAddress }));
});
process.once("SIGTERM", () => {
  const stats = forwarder?.stats();
  forwarder?.close();
  void mapping.stop().then(() => {
    console.log(JSON.stringify({ stats, sources: [...sources] }));
    process.exit(0);
  });
});
mapping.start();
