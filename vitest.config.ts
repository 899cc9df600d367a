import { defineConfig } from "vitest/config";

// One project per workspace package, so `vitest run --project stun` runs a package alone.
const packages = [
  ["plugins-api", "packages/plugins-api"],
  ["stun", "packages/stun"],
  ["checks", "packages/checks"],
  ["relay", "packages/relay"],
  ["netlab", "packages/netlab"],
  ["server", "apps/server"],
  ["console", "apps/console"],
  ["example-plugin", "examples/check-plugin"],
] as const;

export default defineConfig({
  test: {
    projects: packages.map(([name, root]) => ({
      extends: true,
      test: { name, root, include: ["src/**/*.test.ts", "test/**/*.test.ts"] },
    })),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Slow lab suites share two cores; parallel files keep total time down without starving them.
    maxWorkers: 2,
  },
});
