import { lexicographicSortSchema, printSchema } from "graphql";
import { builder } from "./builder.js";
import "./bans.js";
import "./checks.js";
import "./connections.js";
import "./downloaders.js";
import "./reload.js";
import "./storage.js";
import "./tunnels.js";
import "./tunnel-ipv6.js";
import "./tunnel-udp.js";
import "./upnp.js";

/** The daemon's schema, assembled from one file per domain. */
export const schema = builder.toSchema();

/** The SDL committed at apps/server/schema.graphql. */
export function printSdl(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
