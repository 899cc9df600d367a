// Vitest global setup of the projects whose tests start the daemon through apps/server/bin/autostun.mjs (the
// built entry production runs): builds the daemon first when a source changed since the last build.
import { ensureBuilt } from "./build.js";

export default async function setup(): Promise<void> {
  await ensureBuilt();
}
