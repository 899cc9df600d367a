import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { createRootLogger } from "@autostun/runtime";
import { afterEach, describe, expect, it } from "vitest";
import { safeHandler } from "./safe-handler.js";

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A real loopback server whose route throws on /sync, rejects on /async and answers otherwise. */
async function serve() {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  server = createServer(
    safeHandler(
      (req, res) => {
        if (req.url === "/sync") throw new Error("route broke synchronously");
        if (req.url === "/async") return Promise.reject(new Error("route broke later"));
        res.end("fine");
      },
      createRootLogger("info", sink),
    ),
  );
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, logs };
}

describe("safeHandler", () => {
  it("turns a thrown or rejected route into 500 plus a log line, and keeps serving", async () => {
    const { base, logs } = await serve();
    for (const path of ["/sync", "/async"]) {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(500);
      expect(await response.text()).toMatch(/internal error .* it is logged/);
    }
    expect(await (await fetch(`${base}/`)).text()).toBe("fine");
    const lines = logs.map(
      (line) => JSON.parse(line) as { path: string; status: number; err: { message: string } },
    );
    expect(lines.map((line) => [line.path, line.status, line.err.message])).toEqual([
      ["/sync", 500, "route broke synchronously"],
      ["/async", 500, "route broke later"],
    ]);
  });
});
