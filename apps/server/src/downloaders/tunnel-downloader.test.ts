import { mkdtempSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, gqlUntil } from "../relay/testing/graphql-client.js";
import { type LoopbackServices, startLoopbackServices } from "../relay/testing/loopback-services.js";
import { startTestDaemon } from "../testing/daemon.js";

/**
 * The daemon pushing a tunnel's public port to its downloader, on loopback only: a stand-in for
 * Transmission's RPC (409 with a session id first, Basic auth, session-set/session-get of peer-port)
 * drives the built-in adapter through the extension host, as a real client would.
 */

const SESSION_HEADER = "x-transmission-session-id";
const SECRET = "s3cret-Tr4nsmission";

interface FakeTransmission {
  url: string;
  peerPort: number;
  sets: number[];
  password: string;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
    });
    request.on("end", () => resolve(body));
    request.on("error", reject);
  });
}

async function startFakeTransmission(password: string): Promise<FakeTransmission> {
  const sessionId = "fake-session-1";
  const state = { peerPort: 51413, sets: [] as number[], password };
  const server: Server = createServer(async (request, response) => {
    const body = await readBody(request);
    const expected = `Basic ${Buffer.from(`admin:${state.password}`).toString("base64")}`;
    if (request.headers.authorization !== expected) {
      response.writeHead(401).end("Unauthorized");
      return;
    }
    if (request.headers[SESSION_HEADER] !== sessionId) {
      response.writeHead(409, { [SESSION_HEADER]: sessionId }).end();
      return;
    }
    const call = JSON.parse(body) as { method: string; arguments?: Record<string, unknown> };
    let answer: Record<string, unknown> = {};
    if (call.method === "session-set" && typeof call.arguments?.["peer-port"] === "number") {
      state.peerPort = call.arguments["peer-port"];
      state.sets.push(state.peerPort);
    } else if (call.method === "session-get") {
      answer = { "peer-port": state.peerPort, version: "4.0.6 (38c164933e)", "rpc-version": 17 };
    }
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ result: "success", arguments: answer }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/transmission/rpc`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

type Row = {
  id: string;
  state: string;
  publicAddress: { ip: string; port: number } | null;
  downloader: {
    kind: string;
    url: string;
    state: string;
    lastPushAt: string | null;
    verifiedPort: number | null;
    errorKind: string | null;
    error: string | null;
  } | null;
};

const TUNNELS = `{ tunnels { id state publicAddress { ip port }
  downloader { kind url state lastPushAt verifiedPort errorKind error } } }`;

let services: LoopbackServices;
beforeAll(async () => {
  services = await startLoopbackServices();
});
afterAll(() => services?.close());

function config(downloader: Record<string, string>) {
  return {
    dataDir: mkdtempSync(join(tmpdir(), "autostun-downloader-")),
    stun: { udp: [], tcp: [services.stun] },
    keepalive: { target: services.keepalive, intervalSeconds: 10 },
    tunnels: [{ id: "bt", target: services.echo, downloader }],
  };
}

describe("a tunnel with a downloader", () => {
  it("pushes the public port on open and shows it verified, without the credentials", async () => {
    const transmission = await startFakeTransmission(SECRET);
    const daemon = await startTestDaemon(
      config({ kind: "transmission", url: transmission.url, username: "admin", password: SECRET }),
    );
    try {
      const data = await gqlUntil<{ tunnels: Row[] }>(daemon.url, TUNNELS, (d) =>
        d.tunnels.some((t) => t.state === "OPEN" && t.downloader?.state === "VERIFIED"),
      );
      const row = data.tunnels[0] as Row;
      expect(row.downloader).toMatchObject({
        kind: "transmission",
        url: transmission.url,
        verifiedPort: row.publicAddress?.port,
        error: null,
      });
      expect(row.downloader?.lastPushAt).not.toBeNull();
      // The client was told and read back the public port. On loopback the public port is P, where
      // the tunnel's own listener answers the TCP check; the lab suites prove the client listens.
      expect(transmission.sets).toEqual([row.publicAddress?.port]);
      expect(transmission.peerPort).toBe(row.publicAddress?.port);
      expect(JSON.stringify(data)).not.toContain(SECRET);
      expect(daemon.logs.join("\n")).not.toContain(SECRET);
    } finally {
      await daemon.stop();
      await transmission.close();
    }
  });

  it("shows refused credentials on an OPEN tunnel and recovers through pushDownloaderPort", async () => {
    const transmission = await startFakeTransmission("the-real-password");
    const daemon = await startTestDaemon(
      config({ kind: "transmission", url: transmission.url, username: "admin", password: SECRET }),
    );
    try {
      const data = await gqlUntil<{ tunnels: Row[] }>(daemon.url, TUNNELS, (d) =>
        d.tunnels.some((t) => t.downloader?.state === "FAILED"),
      );
      const row = data.tunnels[0] as Row;
      expect(row.state).toBe("OPEN");
      expect(row.downloader).toMatchObject({ errorKind: "CREDENTIALS_REFUSED", verifiedPort: null });
      expect(row.downloader?.error).toBeTruthy();
      expect(transmission.sets).toEqual([]);
      expect(JSON.stringify(data)).not.toContain(SECRET);

      // The user fixes the client side; a retry now takes without waiting for a port change.
      transmission.password = SECRET;
      const retried = await gql<{ pushDownloaderPort: { id: string; state: string } }>(
        daemon.url,
        `mutation ($id: ID!) { pushDownloaderPort(tunnelId: $id) { id state } }`,
        { id: "bt" },
      );
      expect(retried.errors).toBeUndefined();
      expect(retried.data?.pushDownloaderPort).toEqual({ id: "bt", state: "OPEN" });
      const after = await gqlUntil<{ tunnels: Row[] }>(daemon.url, TUNNELS, (d) =>
        d.tunnels.some((t) => t.downloader?.state === "VERIFIED"),
      );
      expect(after.tunnels[0]?.downloader?.verifiedPort).toBe(row.publicAddress?.port);
      expect(daemon.logs.join("\n")).not.toContain(SECRET);
    } finally {
      await daemon.stop();
      await transmission.close();
    }
  });

  it("answers pushDownloaderPort for a tunnel without a downloader with a clear error", async () => {
    const daemon = await startTestDaemon({
      dataDir: mkdtempSync(join(tmpdir(), "autostun-downloader-")),
      stun: { udp: [], tcp: [services.stun] },
      keepalive: { target: services.keepalive, intervalSeconds: 10 },
      tunnels: [{ id: "plain", target: services.echo }],
    });
    try {
      const answer = await gql(daemon.url, `mutation { pushDownloaderPort(tunnelId: "plain") { id } }`);
      expect(answer.errors?.[0]?.extensions?.code).toBe("NO_DOWNLOADER");
    } finally {
      await daemon.stop();
    }
  });
});
