#!/bin/sh
# The production install, run from the root of an AutoSTUN source tree whose console and daemon are
# already built (`npm run build`: apps/console/dist, apps/server/dist).
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

# The daemon runs the JavaScript that `npm run build` bundled into apps/server/dist; the slim install has
# no TypeScript loader to run the sources with.
if [ ! -f apps/server/dist/autostun.mjs ]; then
  echo "install-production: apps/server/dist/autostun.mjs is missing; run 'npm ci && npm run build' in a full checkout first and copy apps/server/dist here" >&2
  exit 1
fi

npm ci --omit=dev --no-audit --no-fund "$@"

# When no prebuilt binary could be fetched, better-sqlite3 compiles SQLite here; its sources and object
# files (about 25 MB) are not loaded at run time, only build/Release/better_sqlite3.node is.
sqlite=node_modules/better-sqlite3
rm -rf "$sqlite/deps" "$sqlite/src" "$sqlite/build/deps" "$sqlite/build/Release/obj" \
  "$sqlite/build/Release/obj.target" "$sqlite/build/Release/.deps" "$sqlite/build/Release/test_extension.node" \
  "$sqlite/build/Release/sqlite3.a"

# Loading the built daemon imports every package it leaves to node_modules (better-sqlite3, pino): one
# missing from the runtime dependencies fails here, not at the first start.
if ! node apps/server/bin/autostun.mjs --help >/dev/null; then
  echo "install-production: the built daemon does not load with the runtime dependencies (see above)" >&2
  exit 1
fi
