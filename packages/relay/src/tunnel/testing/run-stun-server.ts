/** Lab fixture: our STUN server from @autostun/stun, started on demand (argv as its CLI takes). */
import { runStunServerCli } from "@autostun/stun";

process.exitCode = await runStunServerCli(process.argv.slice(2));
