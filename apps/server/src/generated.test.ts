import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { configJsonSchema } from "@autostun/config";
import { describe, expect, it } from "vitest";
import { printSdl } from "./graphql/schema.js";

const read = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), "utf8");
const fix = "run `npm run generate -w @autostun/server` and commit the result";

describe("committed contracts match the code", () => {
  it(`apps/server/schema.graphql is the printed schema (${fix})`, () => {
    expect(read("../schema.graphql")).toBe(printSdl());
  });

  it(`docs/config.schema.json is the config schema (${fix})`, () => {
    expect(JSON.parse(read("../../../docs/config.schema.json"))).toEqual(configJsonSchema());
  });

  it("keeps the core names of the architecture contract", () => {
    const sdl = printSdl();
    for (const needle of [
      "checks: [Check!]!",
      "runChecks(ids: [ID!]): [Check!]!",
      "checkUpdated: Check!",
      "enum CheckStatus {\n  ERROR\n  FAIL\n  PASS\n  PENDING\n  RUNNING\n  SKIP\n  WARN\n}",
      "steps: [String!]!",
      "facts: JSON",
    ]) {
      expect(sdl).toContain(needle);
    }
  });
});
