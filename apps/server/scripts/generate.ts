// Regenerates the committed artefacts that tests compare against: the GraphQL SDL, the config JSON Schema,
// and the console's schema types (gql.tada's output, read from the SDL written here).
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { configJsonSchema } from "@autostun/config";
import { printSdl } from "../src/graphql/schema.js";

const at = (path: string) => fileURLToPath(new URL(path, import.meta.url));
writeFileSync(at("../schema.graphql"), printSdl());
writeFileSync(at("../../../docs/config.schema.json"), `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log("wrote apps/server/schema.graphql and docs/config.schema.json");
execFileSync("npx", ["--no-install", "gql-tada", "generate-output"], {
  cwd: at("../../console"),
  stdio: "inherit",
});
console.log("wrote apps/console/src/graphql/graphql-env.d.ts");
