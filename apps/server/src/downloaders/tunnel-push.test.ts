import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { type AddressInfo, createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Services } from "@autostun/plugins-api";
import { createCommandRunner } from "@autostun/probes";
import type { EventBus } from "@autostun/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DaemonEvents } from "../events/daemon-events.js";
import { refusal, SAVE_TUNNEL } from "../graphql/testing/save-tunnel.js";
import { gql, gqlUntil } from "../relay/testing/graphql-client.js";
import { type LoopbackServices, startLoopbackServices } from "../relay/testing/loopback-services.js";
import { startTestDaemon } from "../testing/daemon.js";
import { Tokens } from "../tokens.js";

/**
 * The daemon pushing a tunnel's public port to its downloader, on loopback only. The loopback STUN
 * server answers with P itself, as a port-preserving gateway does, and the target is this host: the
 * daemon must then leave P to the downloader (nftables is refused to this daemon, so no relay port),
 * push P, and see the client listen there. The client is a stand-in for Transmission's RPC (Basic auth,
 * 409 with a session id first, session-set/session-get of peer-port) that really listens on the port
 * it is told, as transmission-daemon does; the lab suites run the real clients.
 */

const SESSION_HEADER = "x-transmission-session-id";
const SECRET = "s3cret-Tr4nsmission";

interface FakeTransmission {
  url: string;
  peerPort: number;
  sets: number[];
  password: string;
  /** Where the peer listener really is, or undefined when binding the port failed. */
  listening: number | undefined;
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
  let peers: TcpServer | undefined;
  const state = {
    peerPort: 51413,
    sets: [] as number[],
    password,
    listening: undefined as number | undefined,
  };
  const listenOn = async (port: number) => {
    await new Promise<void>((resolve) => (peers ? peers.close(() => resolve()) : resolve()));
    state.listening = undefined;
    const server = createTcpServer((socket) => {
      // The push only connects and leaves; a reset then is expected.
      socket.on("error", () => {});
      socket.end("peer-port\n");
    });
    peers = server;
    await new Promise<void>((resolve) => {
      server.once("error", () => resolve());
      server.listen(port, "127.0.0.1", () => {
        state.listening = port;
        resolve();
      });
    });
  };
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
      await listenOn(state.peerPort);
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
    close: async () => {
      peers?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

/** A webhook receiver on loopback that keeps what arrived. */
async function startReceiver() {
  const received: { headers: IncomingMessage["headers"]; body: Record<string, unknown> }[] = [];
  const server = createServer(async (request, response) => {
    received.push({ headers: request.headers, body: JSON.parse(await readBody(request)) });
    response.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    received,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/autostun`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type Row = {
  id: string;
  state: string;
  path: string;
  listenPort: number | null;
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
  hooks: { ok: boolean; error: string | null; publicAddress: { ip: string; port: number } } | null;
};

const TUNNELS = `{ tunnels { id state path listenPort publicAddress { ip port }
  downloader { kind url state lastPushAt verifiedPort errorKind error }
  hooks { ok error publicAddress { ip port } } } }`;
const SAVE = SAVE_TUNNEL;

let services: LoopbackServices;
beforeAll(async () => {
  services = await startLoopbackServices();
});
afterAll(() => services?.close());

/** A daemon that may not load nftables rules (as an unprivileged user), so P goes to the downloader. */
function startDaemon(tunnels: unknown[] = [], commands: Record<string, string[]> = {}) {
  const real = createCommandRunner();
  return startTestDaemon(
    {
      dataDir: mkdtempSync(join(tmpdir(), "autostun-push-")),
      stun: { udp: [], tcp: [services.stun] },
      keepalive: { target: services.keepalive, intervalSeconds: 10 },
      tunnels,
      commands,
    },
    (c) => {
      c.register(Services.HostInfo, { useValue: { platform: process.platform, isPrivileged: false } });
      c.register(Services.CommandRunner, {
        useValue: {
          run: (file: string, args: readonly string[], options?: Parameters<typeof real.run>[2]) =>
            file === "nft"
              ? Promise.resolve({ exitCode: 1, stdout: "", stderr: "Operation not permitted" })
              : real.run(file, args, options),
        },
      });
    },
  );
}

describe("a tunnel with a downloader, behind a gateway that keeps the port", () => {
  it("refused credentials leave the tunnel OPEN with a clear state; saveTunnel with the right ones makes the client listen on the public port", async () => {
    const transmission = await startFakeTransmission(SECRET);
    const receiver = await startReceiver();
    const hookOut = join(mkdtempSync(join(tmpdir(), "autostun-hook-")), "env.json");
    // The API may only name a program the config file lists.
    const daemon = await startDaemon([], {
      "record-env": [
        process.execPath,
        "-e",
        `require("node:fs").writeFileSync(${JSON.stringify(hookOut)}, JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("AUTOSTUN_")))))`,
      ],
    });
    const tunnel = (password: string) => ({
      id: "bt",
      target: "127.0.0.1:6881",
      downloader: { kind: "transmission", url: transmission.url, username: "admin", password },
      hooks: {
        commandName: "record-env",
        webhook: { url: receiver.url, secret: "hook-secret-1", secretHeader: "X-Hook-Key" },
      },
    });
    try {
      const saved = await gql(daemon.url, SAVE, { input: tunnel("wrong-password") });
      expect(refusal(saved)).toBe("");
      const refused = await gqlUntil<{ tunnels: Row[] }>(daemon.url, TUNNELS, (d) =>
        d.tunnels.some((t) => t.downloader?.state === "FAILED" && t.hooks !== null),
      );
      const row = refused.tunnels[0] as Row;
      expect(row.state).toBe("OPEN");
      expect(row.downloader).toMatchObject({ errorKind: "CREDENTIALS_REFUSED", verifiedPort: null });
      expect(row.downloader?.error).toMatch(/refused the user name or password/);
      expect(transmission.sets).toEqual([]);

      // The gateway kept the port, the target is this host and nftables is not ours: nothing of ours
      // listens on P, which is left for the downloader.
      const publicPort = row.publicAddress?.port as number;
      expect(row.path).toBe("DIRECT_DOWNLOADER");
      expect(row.listenPort).toBeNull();

      // The hooks heard of the address whatever the downloader said.
      expect(row.hooks).toMatchObject({ ok: true, error: null, publicAddress: row.publicAddress });
      expect(JSON.parse(readFileSync(hookOut, "utf8"))).toMatchObject({
        AUTOSTUN_TUNNEL_ID: "bt",
        AUTOSTUN_PROTOCOL: "tcp",
        AUTOSTUN_PUBLIC_IP: "127.0.0.1",
        AUTOSTUN_PUBLIC_PORT: String(publicPort),
        AUTOSTUN_PRIVATE_PORT: String(publicPort),
      });
      expect(receiver.received.at(-1)?.headers["x-hook-key"]).toBe("hook-secret-1");
      expect(receiver.received.at(-1)?.body).toMatchObject({
        tunnelId: "bt",
        public: { ip: "127.0.0.1", port: publicPort },
      });

      // The user corrects the password through the API; the tunnel restarts with it and the push takes.
      const fixed = await gql(daemon.url, SAVE, { input: tunnel(SECRET) });
      expect(refusal(fixed)).toBe("");
      const verified = await gqlUntil<{ tunnels: Row[] }>(daemon.url, TUNNELS, (d) =>
        d.tunnels.some((t) => t.downloader?.state === "VERIFIED"),
      );
      const after = verified.tunnels[0] as Row;
      expect(after.downloader?.verifiedPort).toBe(after.publicAddress?.port);
      expect(transmission.sets.at(-1)).toBe(after.publicAddress?.port);
      expect(transmission.listening).toBe(after.publicAddress?.port);

      const everything = JSON.stringify(verified) + JSON.stringify(refused) + daemon.logs.join("\n");
      for (const secret of [SECRET, "wrong-password", "hook-secret-1"])
        expect(everything).not.toContain(secret);
    } finally {
      await daemon.stop();
      await transmission.close();
      await receiver.close();
    }
  });

  it("re-pushes on pushDownloaderPort, and answers it with a clear error for a tunnel without a downloader", async () => {
    const transmission = await startFakeTransmission(SECRET);
    const daemon = await startDaemon([
      { id: "plain", target: services.echo },
      {
        id: "bt",
        target: "127.0.0.1:6881",
        downloader: { kind: "transmission", url: transmission.url, username: "admin", password: SECRET },
      },
    ]);
    try {
      await gqlUntil<{ tunnels: Row[] }>(daemon.url, TUNNELS, (d) =>
        d.tunnels.some((t) => t.downloader?.state === "VERIFIED"),
      );
      const pushes = transmission.sets.length;
      // Each change of what Tunnel.downloader shows is one tunnel.updated event (tunnelUpdated).
      const seen: string[] = [];
      const events = daemon.container
        .resolve<EventBus<DaemonEvents>>(Tokens.Bus)
        .subscribe("tunnel.updated", (view) => {
          if (view.config.id === "bt" && view.downloader)
            seen.push(`${view.downloader.state}:${view.downloader.verifiedPort ?? "-"}`);
        });
      const again = await gql<{ pushDownloaderPort: { id: string; state: string } }>(
        daemon.url,
        `mutation { pushDownloaderPort(tunnelId: "bt") { id state } }`,
      );
      expect(again.data?.pushDownloaderPort).toEqual({ id: "bt", state: "OPEN" });
      await gqlUntil<{ tunnels: Row[] }>(
        daemon.url,
        TUNNELS,
        (d) => transmission.sets.length > pushes && d.tunnels.some((t) => t.downloader?.state === "VERIFIED"),
      );
      events.dispose();
      const port = transmission.sets.at(-1);
      expect(seen).toEqual([`PUSHING:${port}`, `VERIFIED:${port}`]);
      const none = await gql(daemon.url, `mutation { pushDownloaderPort(tunnelId: "plain") { id } }`);
      expect(none.errors?.[0]?.extensions?.code).toBe("NO_DOWNLOADER");
      expect(none.errors?.[0]?.message).toMatch(/tunnel plain has no downloader configured/);
    } finally {
      await daemon.stop();
      await transmission.close();
    }
  });
});

describe("hooks that fail", () => {
  it("are shown on the tunnel with what went wrong, and the tunnel stays OPEN", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const daemon = await startDaemon([
      {
        id: "hooked",
        target: services.echo,
        // startTestDaemon takes the config as given, without the schema's defaults.
        hooks: {
          timeoutSeconds: 30,
          command: [process.execPath, "-e", "console.error('no route to the DNS API'); process.exit(3)"],
          webhook: { url: `http://127.0.0.1:${deadPort}/hook`, secret: "never-logged-1" },
        },
      },
    ]);
    try {
      const data = await gqlUntil<{ tunnels: Row[] }>(
        daemon.url,
        TUNNELS,
        (d) => d.tunnels[0]?.hooks != null,
      );
      const row = data.tunnels[0] as Row;
      expect(row.state).toBe("OPEN");
      expect(row.downloader).toBeNull();
      expect(row.hooks?.ok).toBe(false);
      expect(row.hooks?.error).toMatch(/^command: .* exited with code 3\nwebhook: .*\/hook ECONNREFUSED$/);
      expect(row.hooks?.publicAddress).toEqual(row.publicAddress);
      const logs = daemon.logs.join("\n");
      expect(logs).toMatch(/address-change command failed/);
      expect(logs).toMatch(/no route to the DNS API/);
      expect(logs).not.toContain("never-logged-1");
    } finally {
      await daemon.stop();
    }
  });
});

describe("a downloader kind no extension provides", () => {
  it("is a FAILED push that names the kinds there are, on an OPEN tunnel", async () => {
    const daemon = await startDaemon([
      {
        id: "rt",
        target: "127.0.0.1:6881",
        downloader: { kind: "rtorrent", url: "http://127.0.0.1:8000/RPC2", username: "", password: "" },
      },
    ]);
    try {
      const data = await gqlUntil<{ tunnels: Row[] }>(daemon.url, TUNNELS, (d) =>
        d.tunnels.some((t) => t.downloader?.state === "FAILED"),
      );
      const row = data.tunnels[0] as Row;
      expect(row.state).toBe("OPEN");
      expect(row.downloader).toMatchObject({
        kind: "rtorrent",
        errorKind: "UNSUPPORTED",
        verifiedPort: null,
      });
      expect(row.downloader?.error).toMatch(/rtorrent/);
      expect(row.downloader?.error).toMatch(/qbittorrent/);
    } finally {
      await daemon.stop();
    }
  });
});
