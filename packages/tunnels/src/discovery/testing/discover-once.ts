/**
 * Lab fixture: runs discovery once where it is started (`ip netns exec <ns> node --import tsx
 * discover-once.ts '<configured JSON>'`) with the real view of that namespace's addresses, and prints
 * what it found as one JSON line. Discovery looks at "this host", so a test moves it to the host it made.
 */
import { createNetworkInfo } from "@autostun/probes";
import { discoverDownloaders } from "../discover.js";

const configured = JSON.parse(process.argv[2] ?? "[]") as { kind: string; url: string }[];
// The daemon's 3 s per request is for a user's idle machine; a test machine under full load may take
// longer to get an answer out of deluge-web (Python) or qbittorrent-nox, and a late one is not "none".
const found = await discoverDownloaders({
  addresses: await createNetworkInfo().addresses(),
  configured,
  timeoutMs: 15_000,
});
process.stdout.write(`${JSON.stringify(found)}\n`);
