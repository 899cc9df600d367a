import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const consoleRoot = fileURLToPath(new URL("../..", import.meta.url));
const committed = fileURLToPath(new URL("./graphql-env.d.ts", import.meta.url));

describe("graphql-env.d.ts", () => {
  it("is gql.tada's output for apps/server/schema.graphql (run `npm run generate -w @autostun/server` and commit it)", async () => {
    const folder = await mkdtemp(join(tmpdir(), "autostun-graphql-env-"));
    try {
      const fresh = join(folder, "graphql-env.d.ts");
      // The same command `npm run generate -w @autostun/console` runs, written elsewhere.
      await run("npx", ["--no-install", "gql-tada", "generate-output", "--output", fresh], {
        cwd: consoleRoot,
      });
      expect(await readFile(committed, "utf8")).toBe(await readFile(fresh, "utf8"));
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
