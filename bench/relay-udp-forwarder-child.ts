/**
 * Child process of the relay-udp-forwarder bench: a UdpForwarder on a fresh loopback mapping socket in
 * front of `target`, printing its port as `port N`. Runs alone so its CPU time is its own.
 */
import { UdpForwarder, UdpStunPort, validateTarget } from "@autostun/relay";

const target = process.argv[2];
if (!target) throw new Error("usage: relay-udp-forwarder-child.ts <target host:port>");
const port = await UdpStunPort.open(0, "127.0.0.1");
const forwarder = new UdpForwarder({ port, target: await validateTarget("bench", target) });
console.log(`port ${port.localPort}`);
process.on("SIGTERM", () => {
  const stats = forwarder.stats();
  forwarder.close();
  process.stderr.write(`  forwarder: ${JSON.stringify(stats)}\n`);
  process.exit(0);
});
