// npm runs this after `npm install` and `npm ci` in the repository (the root's `prepare` script): it builds
// the daemon, so `npx autostun …` works right after an install, as the CLI contract promises. Plain
// JavaScript, because a production install (`npm ci --omit=dev`) has neither tsx nor esbuild: there it
// does nothing and the install keeps the apps/server/dist it was given.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

try {
  import.meta.resolve("esbuild");
  import.meta.resolve("tsx");
} catch {
  process.exit(0);
}
const build = fileURLToPath(new URL("./build.ts", import.meta.url));
const run = spawnSync(process.execPath, ["--import", "tsx", build], { stdio: "inherit" });
// A source that does not compile must not fail the install of the tools needed to fix it; npm start and
// npm test build again and stop there.
if (run.status !== 0)
  console.error(
    "prepare: the daemon was not built (see above); `npm run build` retries, `npm start` builds first",
  );
