// Entry of a plugin's own process. The daemon ships as TypeScript source, so the runtime is loaded through
// tsx, scoped to this one import: the plugin's own modules load exactly as plain Node would load them.
import { tsImport } from "tsx/esm/api";

await tsImport("./child-main.ts", import.meta.url);
