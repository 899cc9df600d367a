/**
 * Lab fixture: runs discovery once where it is started (`ip netns exec <ns> node --import tsx
 * discover-once.ts '<configured JSON>'`) with the real view of that namespace's addresses, and prints
 * what it found as one JSON line. Discovery looks at "this host", so a test moves it to the host it made.
 */
import { createNetworkInfo } from "@autostun/probes";
import { discoverDownloaders } from "../discover.js";

const configured = JSON.parse(process.argv[2] ?? "[]") as { kind: string; url: string }[];
const found = await discoverDownloaders({ addresses: await createNetworkInfo().addresses(), configured });
process.stdout.write(`${JSON.stringify(found)}\n`);
