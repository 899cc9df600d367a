import { createRequire } from "node:module";
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
  ["server", "apps/server"],
  ["console", "apps/console"],
  ["example-plugin", "examples/check-plugin"],
  // Not a workspace: the service files, Dockerfile support and the production-install test.
  ["deploy", "deploy"],
] as const;

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
  test: {
    projects: packages.map(([name, root]) => ({
      extends: true,
      test: { name, root, include: ["src/**/*.test.ts", "test/**/*.test.ts"] },
    })),
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Slow lab suites share two cores; parallel files keep total time down without starving them.
    maxWorkers: 2,
  },
});
