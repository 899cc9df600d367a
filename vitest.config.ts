import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// graphql@16 has no "exports" map: Node loads its CommonJS build, while Vite would pick the ESM one for our
// sources. Two copies of graphql break `instanceof` checks between our schema and yoga's, so pin the one
// Node uses.
const graphqlEntry = createRequire(import.meta.url).resolve("graphql");

// One project per workspace package, so `vitest run --project stun` runs a package alone.
const packages = [
  ["plugins-api", "packages/plugins-api"],
  ["stun", "packages/stun"],
  ["ip", "packages/ip"],
  ["probes", "packages/probes"],
  ["netfilter", "packages/netfilter"],
  ["checks", "packages/checks"],
  ["netlab", "packages/netlab"],
  ["relay", "packages/relay"],
  ["downloaders", "packages/downloaders"],
  ["config", "packages/config"],
  ["runtime", "packages/runtime"],
  ["store", "packages/store"],
  ["extension-host", "packages/extension-host"],
  ["tunnels", "packages/tunnels"],
  ["api-guard", "packages/api-guard"],
  ["portmapper", "packages/portmapper"],
  ["server", "apps/server"],
  ["console", "apps/console"],
  ["example-plugin", "examples/check-plugin"],
  // Not a workspace: the service files, Dockerfile support and the production-install test.
  ["deploy", "deploy"],
] as const;

// Their tests start the daemon through apps/server/bin/autostun.mjs, the built entry production runs; the
// setup rebuilds it when a source changed, so running one file after an edit tests the edit.
const startsTheDaemon = new Set(["server", "console", "example-plugin", "deploy"]);
const buildTheDaemon = fileURLToPath(
  new URL("./apps/server/scripts/vitest-global-setup.ts", import.meta.url),
);

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
  test: {
    projects: packages.map(([name, root]) => ({
      extends: true,
      test: {
        name,
        root,
        include: ["src/**/*.test.ts", "test/**/*.test.ts"],
        ...(startsTheDaemon.has(name) ? { globalSetup: [buildTheDaemon] } : {}),
      },
    })),
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Slow lab suites share two cores; parallel files keep total time down without starving them.
    maxWorkers: 2,
  },
});
