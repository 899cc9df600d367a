import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { initialLoadBudget } from "./build/initialLoadPlugin.js";

// The daemon serves this build at `/` and GraphQL beside it; `vite dev` proxies to a local daemon.
const daemon = process.env.AUTOSTUN_DAEMON ?? "http://127.0.0.1:7878";

export default defineConfig({
  // Relative asset paths keep the build working behind a reverse proxy that mounts it under a prefix.
  base: "./",
  plugins: [react(), initialLoadBudget()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false },
  server: { proxy: { "/graphql": { target: daemon, ws: true } } },
});
