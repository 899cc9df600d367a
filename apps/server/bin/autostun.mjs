#!/usr/bin/env node
// Runs the TypeScript sources directly: inside the workspace the daemon ships as source, so
// `npx autostun` works right after `npm install`, with no compile step to forget.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
const { main } = await import("../src/cli/main.ts");
const code = await main(process.argv.slice(2));
process.exitCode = code;
// A check that ignored its AbortSignal may still hold a timer or socket; neither a one-shot command nor a
// stopped daemon may linger on it. The STUN server closes its own sockets.
if (!process.argv.includes("stun-server")) process.exit(code);
