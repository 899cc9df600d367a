#!/bin/sh
# The production install, run from the root of an AutoSTUN source tree whose console is already built.
# The Dockerfile runs it and so does deploy/test/production-install.test.ts, so the image and the test
# cannot disagree about what a slim install contains. Extra arguments go to `npm ci` (the test adds
# --offline so the machine's npm cache serves it).
set -eu
cd "$(dirname "$0")/.."

# The console is built by Vite, a dev dependency that a slim install does not have; without its output
# the daemon would serve a page saying the console was never built.
if [ ! -f apps/console/dist/index.html ]; then
  echo "install-production: apps/console/dist/index.html is missing; run 'npm ci && npm run build' in a full checkout first and copy apps/console/dist here" >&2
  exit 1
fi

npm ci --omit=dev --no-audit --no-fund "$@"

# When no prebuilt binary could be fetched, better-sqlite3 compiles SQLite here; its sources and object
# files (about 25 MB) are not loaded at run time, only build/Release/better_sqlite3.node is.
sqlite=node_modules/better-sqlite3
rm -rf "$sqlite/deps" "$sqlite/src" "$sqlite/build/deps" "$sqlite/build/Release/obj" \
  "$sqlite/build/Release/obj.target" "$sqlite/build/Release/.deps" "$sqlite/build/Release/test_extension.node" \
  "$sqlite/build/Release/sqlite3.a"

# The daemon runs its TypeScript sources through tsx, so tsx must have come with the runtime dependencies.
node -e 'import("tsx/esm/api").catch((error) => { console.error("install-production: tsx is missing from the runtime dependencies:", error.message); process.exit(1); })'
