import { describe, expect, it } from "vitest";
import { startTestDaemon } from "../testing/daemon.js";

describe("api.corsOrigins", () => {
  it("lets a configured web origin call the API from a browser, and no other", async () => {
    const daemon = await startTestDaemon({
      api: { listen: "127.0.0.1:0", corsOrigins: ["https://dash.example"] },
    });
    try {
      const ask = (origin: string) =>
        fetch(`${daemon.url}graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", origin, ...daemon.auth },
          body: JSON.stringify({ query: "{ tunnels { id } }" }),
        });
      const allowed = await ask("https://dash.example");
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get("access-control-allow-origin")).toBe("https://dash.example");
      expect((await ask("https://elsewhere.example")).status).toBe(403);
    } finally {
      await daemon.stop();
    }
  });
});
