import { join } from "node:path";
import { fixtureServices as servicesOfFolder } from "@autostun/probes/testing";

/** Where the fixture folders of the environment checks live. */
export const FIXTURES_DIR = new URL("../../fixtures/", import.meta.url).pathname;

/** Services of a recorded system kept under this package's `fixtures/` (e.g. `firewall/dsm`). */
export function fixtureServices(folder: string, ports: number[] = []) {
  return servicesOfFolder(join(FIXTURES_DIR, folder), ports);
}

export { realServices } from "@autostun/probes/testing";
