import { z } from "zod";
import { configSchema } from "./schema.js";

/** The config file's JSON Schema, for editors (yaml-language-server) and third-party tools. */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }),
    title: "AutoSTUN configuration",
    description: "autostun.yaml: every key is optional; see docs/configuration.md for defaults.",
  };
}
