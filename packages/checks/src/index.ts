import { fileURLToPath } from "node:url";

/**
 * The folder holding one sub-folder per built-in extension, each with a package.json whose `autostun`
 * field is its manifest (the same shape a third-party plugin uses). The host scans it like a plugin dir.
 */
export const BUILTIN_EXTENSIONS_DIR = fileURLToPath(new URL(".", import.meta.url));
