/**
 * Entry point run inside the lab's WAN namespace (`node --import tsx stun-server-main.ts
 * --primary IP --alternate IP --port N --alt-port M`): our own RFC 5780 server.
 */
import { runStunServerCli } from "@autostun/stun";

process.exitCode = await runStunServerCli(process.argv.slice(2));
