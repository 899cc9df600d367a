import { HostedExtension } from "./child-extension.js";
import { type FaultParams, MAX_MESSAGE_BYTES, ToDaemon, ToPlugin } from "./protocol.js";
import { RpcChannel, type RpcMessage } from "./rpc.js";

/*
 * The runtime of a plugin's own process: whatever the plugin does here (exit, hang, throw in a timer, eat
 * memory) ends at most this process; the daemon notices and reports it.
 */

const send = process.send?.bind(process);
if (!send) {
  process.stderr.write("this is the process of an AutoSTUN plugin; the daemon starts it, not a user\n");
  process.exit(2);
}

const channel = new RpcChannel((message: RpcMessage) => send(message), {
  maxMessageBytes: MAX_MESSAGE_BYTES,
  onProblem: (problem) => process.stderr.write(`plugin process: ${problem}\n`),
});

function describe(reason: unknown): string {
  if (reason instanceof Error) return reason.stack ?? reason.message;
  return String(reason);
}

function fault(kind: FaultParams["kind"], reason: unknown): void {
  const params: FaultParams = { kind, message: describe(reason).slice(0, 4000) };
  channel.notify(ToDaemon.fault, params);
}

// As VS Code's extension host does: a plugin's stray error is reported and the process keeps serving.
process.on("uncaughtException", (error) => fault("uncaught exception", error));
process.on("unhandledRejection", (reason) => fault("unhandled rejection", reason));
// No daemon, no reason to live: never leave an orphan behind a daemon that was killed.
process.on("disconnect", () => process.exit(0));
process.on("message", (message) => channel.receive(message));

channel.handle(ToPlugin.ping, () => "pong");
new HostedExtension(channel);
channel.notify(ToDaemon.ready, { pid: process.pid });
