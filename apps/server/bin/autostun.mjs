#!/usr/bin/env node
// The production entry (npm start, systemd, Docker, `npx autostun`): runs the JavaScript that `npm run build`
// put in ../dist and never loads a TypeScript loader. bin/autostun-dev.mjs runs the sources instead.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const built = new URL("../dist/autostun.mjs", import.meta.url);
if (!existsSync(built)) {
  console.error(
    `autostun: the built daemon is missing (${fileURLToPath(built)}); run \`npm run build\` in the AutoSTUN folder first`,
  );
  process.exit(1);
}
// Stack traces then name the TypeScript file and line instead of a place in the bundle.
process.setSourceMapsEnabled(true);
const { main } = await import(built.href);
const code = await main(process.argv.slice(2));
process.exitCode = code;
// A check that ignored its AbortSignal may still hold a timer or socket; neither a one-shot command nor a
// stopped daemon may linger on it. The STUN server closes its own sockets.
if (!process.argv.includes("stun-server")) process.exit(code);
