import { createServer, type Server } from "node:net";
import { startStunServer } from "@autostun/stun";
import { afterEach, describe, expect, test, vi } from "vitest";
import { chooseFreePort } from "./free-port.js";
import { PunchFailedError, punchStun } from "./stun-race.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function stunServer(): Promise<string> {
  const server = await startStunServer({ primary: "127.0.0.1", port: 0, udp: false });
  cleanups.push(() => server.close());
  return `127.0.0.1:${server.endpoints[0]!.port}`;
}

/** A TCP server that accepts and never says a word: a STUN server that hangs. */
async function silentServer(): Promise<string> {
  // Our side ends with a reset; that is expected, not an error of the test.
  const server: Server = createServer((socket) => socket.on("error", () => {}));
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  cleanups.push(() => server.close());
  const address = server.address();
  return `127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
}

describe("punchStun", () => {
  test("learns the mapped address of the given local port", async () => {
    const server = await stunServer();
    const port = await chooseFreePort("127.0.0.1");
    const result = await punchStun([server], { localPort: port, timeoutMs: 2_000 });
    expect(result).toEqual({ publicAddress: { ip: "127.0.0.1", port }, server, localPort: port });
  });

  test("the first good answer wins; a hanging server is cancelled, not waited for", async () => {
    const good = await stunServer();
    const closed: string[] = [];
    const hang: Server = createServer((socket) => {
      socket.on("error", () => {});
      socket.on("close", () => closed.push("hanging"));
    });
    await new Promise<void>((resolve) => hang.listen({ host: "127.0.0.1", port: 0 }, resolve));
    cleanups.push(() => hang.close());
    const hanging = `127.0.0.1:${(hang.address() as { port: number }).port}`;
    const refusing = `127.0.0.1:${await chooseFreePort("127.0.0.1")}`;
    // A per-server bound longer than the test's own limit: waiting for the hanging server would fail it.
    const result = await punchStun([hanging, refusing, good], { timeoutMs: 120_000 });
    expect(result.server).toBe(good);
    await vi.waitUntil(() => closed.length === 1);
  });

  test("the same port punches again at once, to the same server (no TIME_WAIT left behind)", async () => {
    const server = await stunServer();
    const port = await chooseFreePort("127.0.0.1");
    for (let i = 0; i < 3; i++) {
      expect((await punchStun([server], { localPort: port, timeoutMs: 2_000 })).localPort).toBe(port);
    }
  });

  test("when no server answers, the error lists each one and says what to check", async () => {
    const hanging = await silentServer();
    const refusing = `127.0.0.1:${await chooseFreePort("127.0.0.1")}`;
    const error = await punchStun([hanging, refusing], { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PunchFailedError);
    const message = (error as Error).message;
    expect(message).toContain(`${hanging}: no STUN reply`);
    expect(message).toContain(`${refusing}: cannot connect`);
    expect(message).toContain("check that the stun.tcp servers are reachable");
    expect((error as PunchFailedError).localPortBusy).toBe(false);
  });

  test("a port someone listens on is reported as busy, not as a network failure", async () => {
    const server = await stunServer();
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen({ host: "0.0.0.0", port: 0 }, resolve));
    cleanups.push(() => taken.close());
    const port = (taken.address() as { port: number }).port;
    const error = await punchStun([server], { localPort: port, timeoutMs: 1_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PunchFailedError);
    expect((error as PunchFailedError).localPortBusy).toBe(true);
  });
});
