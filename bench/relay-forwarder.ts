/**
 * Child process of the relay bench: one Forwarder in front of `target`, listening on an ephemeral
 * loopback port that it prints as `port N`. Runs alone so its CPU time and memory are its own. An
 * optional second argument, JSON, overrides forwarder limits (the idle bench needs more than 1,000).
 */
import { once } from "node:events";
import { type AddressInfo, createServer } from "node:net";
import { FORWARDER_SERVER_OPTIONS, Forwarder, type ForwarderOptions, validateTarget } from "@autostun/relay";

const target = process.argv[2];
if (!target) throw new Error("usage: relay-forwarder.ts <target host:port> [options json]");
const limits = JSON.parse(process.argv[3] ?? "{}") as Pick<ForwarderOptions, "maxConnections" | "maxPerIp">;
const forwarder = new Forwarder({ ...limits, target: await validateTarget("bench", target) });
const server = createServer(FORWARDER_SERVER_OPTIONS, (socket) => forwarder.handle(socket));
server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 });
await once(server, "listening");
console.log(`port ${(server.address() as AddressInfo).port}`);
process.on("SIGTERM", () => process.exit(0));
