/**
 * Entry point run inside the lab's WAN namespace (`node --import tsx stun-server-main.ts
 * --primary IP --alternate IP --port N --alt-port M`): our own RFC 5780 server.
 */

// Loaded by name at run time so the lab builds even while the server is being written.
const stun: Record<string, unknown> = await import("@autostun/stun");
const runCli = stun["runStunServerCli"];
if (typeof runCli !== "function") {
  process.stderr.write("netlab: @autostun/stun does not export runStunServerCli yet; use stun: 'coturn'.\n");
  process.exit(2);
}
await (runCli as (argv: string[]) => unknown)(process.argv.slice(2));
