import { HostedExtension } from "./child-extension.js";
import {
  type FaultKind,
  MAX_MESSAGE_BYTES,
  TO_DAEMON,
  TO_PLUGIN,
  type ToDaemon,
  type ToPlugin,
} from "./protocol.js";
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

const channel = new RpcChannel<ToDaemon, ToPlugin>((message: RpcMessage) => send(message), {
  sends: TO_DAEMON,
  receives: TO_PLUGIN,
  maxMessageBytes: MAX_MESSAGE_BYTES,
  onProblem: (problem) => process.stderr.write(`plugin process: ${problem}\n`),
});

function describe(reason: unknown): string {
  if (reason instanceof Error) return reason.stack ?? reason.message;
  return String(reason);
}

function fault(kind: FaultKind, reason: unknown): void {
  channel.notify("fault", { kind, message: describe(reason).slice(0, 4000) });
}

// As VS Code's extension host does: a plugin's stray error is reported and the process keeps serving.
process.on("uncaughtException", (error) => fault("uncaught exception", error));
process.on("unhandledRejection", (reason) => fault("unhandled rejection", reason));
// No daemon, no reason to live: never leave an orphan behind a daemon that was killed.
process.on("disconnect", () => process.exit(0));
process.on("message", (message) => channel.receive(message));

channel.handle("ping", () => "pong");
new HostedExtension(channel);
channel.notify("ready", { pid: process.pid });
