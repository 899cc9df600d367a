// Regenerates the committed artefacts that tests compare against: the GraphQL SDL and the config JSON Schema.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { configJsonSchema } from "@autostun/config";
import { printSdl } from "../src/graphql/schema.js";

const at = (path: string) => fileURLToPath(new URL(path, import.meta.url));
writeFileSync(at("../schema.graphql"), printSdl());
writeFileSync(at("../../../docs/config.schema.json"), `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log("wrote apps/server/schema.graphql and docs/config.schema.json");
