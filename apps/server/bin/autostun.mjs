#!/usr/bin/env node
import { fileURLToPath } from "node:url";
// Runs the TypeScript sources directly: the daemon ships as source inside the workspace,
// so `npx autostun` works right after `npm install` without a compile step.
import { register } from "tsx/esm/api";

const here = fileURLToPath(new URL("..", import.meta.url));
register({ tsconfig: `${here}tsconfig.json` });
await import("../src/zz.ts");
