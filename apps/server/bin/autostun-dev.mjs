#!/usr/bin/env node
// The contributor's entry: runs the TypeScript sources through tsx, so an edit runs without a build
// (`npm run dev -w @autostun/server -- serve`). tsx is a dev dependency; production runs bin/autostun.mjs.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
const { main } = await import("../src/cli/main.ts");
const code = await main(process.argv.slice(2));
process.exitCode = code;
// A check that ignored its AbortSignal may still hold a timer or socket; neither a one-shot command nor a
// stopped daemon may linger on it. The STUN server closes its own sockets.
if (!process.argv.includes("stun-server")) process.exit(code);
