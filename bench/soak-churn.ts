/**
 * The soak's peers, run inside the WAN namespace: opens connections to the tunnel's public address at a
 * bounded rate, each from one of the given source addresses, sends a line, waits for its echo, closes.
 * Reads the address to dial from stdin (one `ip:port` a line, whenever the tunnel publishes a new one)
 * and prints `{ ok, failed, inFlight }` totals once a second.
 * Usage: node --import tsx bench/soak-churn.ts <rate per second> <source ip>…
 */
import { connect } from "node:net";
import { createInterface } from "node:readline";

const rate = Number(process.argv[2]);
const sources = process.argv.slice(3);
const MAX_IN_FLIGHT = 64;
let target: { host: string; port: number } | undefined;
let ok = 0;
let failed = 0;
let inFlight = 0;
let n = 0;

createInterface({ input: process.stdin }).on("line", (line) => {
  const at = line.lastIndexOf(":");
  target = { host: line.slice(0, at), port: Number(line.slice(at + 1)) };
});

function once(): void {
  if (!target || inFlight >= MAX_IN_FLIGHT) return;
  inFlight++;
  const line = `soak ${n} ${Date.now()}\n`;
  const socket = connect({ ...target, localAddress: sources[n++ % sources.length] });
  let received = "";
  let settled = false;
  const settle = (good: boolean) => {
    if (settled) return;
    settled = true;
    inFlight--;
    if (good) ok++;
    else failed++;
    clearTimeout(timer);
    socket.destroy();
  };
  // A connection that gets no echo in 5 s counts as failed: during a recovery the old port is dead.
  const timer = setTimeout(() => settle(false), 5_000);
  socket.setNoDelay(true);
  socket.on("connect", () => socket.write(line));
  socket.on("data", (chunk) => {
    received += chunk.toString();
    if (received === line) {
      socket.end();
      socket.once("close", () => settle(true));
    }
  });
  socket.on("error", () => settle(false));
  socket.on("close", () => settle(received === line));
}

setInterval(once, 1_000 / rate);
setInterval(() => process.stdout.write(`${JSON.stringify({ ok, failed, inFlight })}\n`), 1_000);
