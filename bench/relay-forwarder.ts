/**
 * Child process of the relay bench: one Forwarder in front of `target`, listening on an ephemeral
 * loopback port that it prints as `port N`. Runs alone so its CPU time is its own.
 */
import { once } from "node:events";
import { type AddressInfo, createServer } from "node:net";
import { FORWARDER_SERVER_OPTIONS, Forwarder, validateTarget } from "@autostun/relay";

const target = process.argv[2];
if (!target) throw new Error("usage: relay-forwarder.ts <target host:port>");
const forwarder = new Forwarder({ target: await validateTarget("bench", target) });
const server = createServer(FORWARDER_SERVER_OPTIONS, (socket) => forwarder.handle(socket));
server.listen(0, "127.0.0.1");
await once(server, "listening");
console.log(`port ${(server.address() as AddressInfo).port}`);
process.on("SIGTERM", () => process.exit(0));
