import { execFile, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createBindingRequest,
  getAddress,
  getErrorCode,
  getMappedAddress,
  getOtherAddress,
  getResponseOrigin,
} from "../message/accessors.js";
import { decodeMessage } from "../message/decode.js";
import { encodeMessage } from "../message/encode.js";
import { StunStreamFramer } from "../transport/stream-framer.js";
import { tcpStunRequest } from "../transport/tcp-client.js";
import { UdpStunClient } from "../transport/udp-client.js";
import { type StunServer, startStunServer } from "./stun-server.js";

const STUN_INDEX = fileURLToPath(new URL("../index.ts", import.meta.url));

const A = "127.0.0.1";
const B = "127.0.0.2";
const fast = { rto: 50, maxSends: 3 };

function portsOf(server: StunServer) {
  const udp = server.endpoints.filter((e) => e.transport === "udp");
  const p = udp.find((e) => e.address === A)!.port;
  const ap = udp.find((e) => e.address === A && e.port !== p)!.port;
  return { p, ap };
}

describe("RFC 5780 STUN server on loopback", () => {
  let server: StunServer;
  let p: number;
  let ap: number;
  const errors: Error[] = [];
  beforeAll(async () => {
    server = await startStunServer({
      primary: A,
      alternate: B,
      port: 0,
      altPort: 0,
      software: "test",
      onError: (e) => errors.push(e),
    });
    ({ p, ap } = portsOf(server));
  });
  afterAll(() => server.close());

  it("listens with UDP and TCP on both addresses and both ports", () => {
    const keys = server.endpoints.map((e) => `${e.transport} ${e.address}:${e.port}`).sort();
    expect(keys).toEqual(
      [A, B].flatMap((ip) => [p, ap].flatMap((port) => [`tcp ${ip}:${port}`, `udp ${ip}:${port}`])).sort(),
    );
  });

  const opposite = (target: { address: string; port: number }) => ({
    address: target.address === A ? B : A,
    port: target.port === p ? ap : p,
  });

  it("answers Binding on every UDP socket with the client's address, OTHER-ADDRESS and a true RESPONSE-ORIGIN", async () => {
    const client = await UdpStunClient.open({ localAddress: A });
    try {
      for (const target of [A, B].flatMap((address) => [p, ap].map((port) => ({ address, port })))) {
        const reply = await client.request(target, fast);
        expect(reply.from).toMatchObject(target);
        expect(getMappedAddress(reply.message)).toMatchObject({ address: A, port: client.local.port });
        expect(getAddress(reply.message, "XOR-MAPPED-ADDRESS")).toBeDefined();
        // OTHER-ADDRESS is where a change-IP-and-port answer to this very request would come from.
        expect(getOtherAddress(reply.message)).toMatchObject(opposite(target));
        expect(getResponseOrigin(reply.message)).toMatchObject(target);
      }
    } finally {
      await client.close();
    }
  });

  it("honours CHANGE-REQUEST by answering from the other socket, several transactions on one socket at once", async () => {
    const client = await UdpStunClient.open({ localAddress: A });
    try {
      const change = (changeIp: boolean, changePort: boolean) =>
        client.request(
          { address: A, port: p },
          { ...fast, attributes: [{ type: "CHANGE-REQUEST", changeIp, changePort }] },
        );
      const [ipOnly, portOnly, both, neither] = await Promise.all([
        change(true, false),
        change(false, true),
        change(true, true),
        change(false, false),
      ]);
      expect(ipOnly.from).toMatchObject({ address: B, port: p });
      expect(portOnly.from).toMatchObject({ address: A, port: ap });
      expect(both.from).toMatchObject({ address: B, port: ap });
      expect(neither.from).toMatchObject({ address: A, port: p });
    } finally {
      await client.close();
    }
  });

  it("answers Binding over TCP on all four endpoints, with the connection's own source port", async () => {
    for (const target of [A, B].flatMap((address) => [p, ap].map((port) => ({ address, port })))) {
      const reply = await tcpStunRequest(target, { localAddress: A });
      expect(reply.transport).toBe("tcp");
      expect(getMappedAddress(reply.message)).toMatchObject({ address: A, port: reply.local.port });
      expect(getOtherAddress(reply.message)).toMatchObject(opposite(target));
    }
  });

  it("refuses CHANGE-REQUEST over TCP with 420 instead of pretending", async () => {
    const reply = await tcpStunRequest(
      { address: A, port: p },
      { attributes: [{ type: "CHANGE-REQUEST", changeIp: true, changePort: false }] },
    );
    expect(reply.message.class).toBe("error");
    expect(getErrorCode(reply.message)?.code).toBe(420);
  });

  it("answers an RFC 3489 request (no magic cookie) with MAPPED-, SOURCE- and CHANGED-ADDRESS", async () => {
    const socket = createSocket("udp4");
    await new Promise<void>((r) => socket.bind(0, A, () => r()));
    try {
      const request = { ...createBindingRequest(), cookie: 0x01020304 };
      const reply = new Promise<Buffer>((r) => socket.once("message", (m) => r(m)));
      socket.send(encodeMessage(request), p, A);
      const decoded = decodeMessage(await reply);
      if (!decoded.ok) throw new Error(decoded.error);
      expect(decoded.message.cookie).toBe(0x01020304);
      expect(getAddress(decoded.message, "XOR-MAPPED-ADDRESS")).toBeUndefined();
      expect(getAddress(decoded.message, "MAPPED-ADDRESS")?.port).toBe(socket.address().port);
      expect(getAddress(decoded.message, "CHANGED-ADDRESS")).toMatchObject({ address: B, port: ap });
      expect(getAddress(decoded.message, "SOURCE-ADDRESS")).toMatchObject({ address: A, port: p });
    } finally {
      socket.close();
    }
  });

  it("survives garbage on UDP and TCP, closes a TCP stream with a hostile length, and keeps serving", async () => {
    const raw = createSocket("udp4");
    for (const junk of [
      Buffer.alloc(0),
      Buffer.from("hello"),
      Buffer.alloc(1500, 0xff),
      Buffer.from([0, 1, 0xff, 0xfc]),
    ]) {
      raw.send(junk, p, A);
    }
    const closed = await new Promise<boolean>((resolve) => {
      const s = connect({ host: A, port: p }, () =>
        s.write(Buffer.from([0x00, 0x01, 0x00, 0x03, 0x21, 0x12, 0xa4, 0x42])),
      );
      s.on("error", () => undefined);
      s.on("close", () => resolve(true));
    });
    raw.close();
    expect(closed).toBe(true);
    const client = await UdpStunClient.open({ localAddress: A });
    await expect(client.request({ address: A, port: p }, fast)).resolves.toMatchObject({ from: { port: p } });
    await client.close();
    expect(errors).toEqual([]);
  });

  it("frames requests split byte by byte and coalesced into one write", async () => {
    const r1 = createBindingRequest();
    const r2 = createBindingRequest();
    const bytes = Buffer.concat([encodeMessage(r1), encodeMessage(r2)]);
    const replies = await new Promise<string[]>((resolve, reject) => {
      const framer = new StunStreamFramer();
      const ids: string[] = [];
      const s = connect({ host: A, port: ap }, async () => {
        for (let i = 0; i < 20; i++) s.write(bytes.subarray(i, i + 1)); // first header in pieces
        s.write(bytes.subarray(20));
      });
      s.on("error", reject);
      s.on("data", (chunk) => {
        const out = framer.push(chunk);
        if (!out.ok) return reject(new Error(out.error));
        for (const m of out.messages)
          if (m.ok) ids.push(Buffer.from(m.message.transactionId).toString("hex"));
        if (ids.length === 2) {
          s.destroy();
          resolve(ids);
        }
      });
    });
    expect(replies).toEqual([r1, r2].map((r) => Buffer.from(r.transactionId).toString("hex")));
  });

  it("is understood by Debian's independent stun-client (RFC 3489), which finds no NAT on loopback", async () => {
    // stun-client always uses the standard ports, so both sides run in a fresh network namespace of their
    // own, where those ports are free whatever else this machine runs.
    // (Absolute path: node_modules/.bin also holds a `stun` from the npm package.)
    const run = promisify(execFile);
    const ns = `stun-t${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    await run("ip", ["netns", "add", ns]);
    const server = spawn(
      "ip",
      [
        "netns",
        "exec",
        ns,
        process.execPath,
        "--import",
        "tsx",
        "-e",
        `import(${JSON.stringify(STUN_INDEX)}).then((m) => m.runStunServerCli(["--primary", "127.0.0.1", "--alternate", "127.0.0.2"]))`,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      await run("ip", ["-n", ns, "link", "set", "lo", "up"]);
      await new Promise<void>((resolve, reject) => {
        let out = "";
        server.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes("ready")) resolve();
        });
        server.on("exit", (code) => reject(new Error(`stun server exited with ${code}: ${out}`)));
      });
      const result = await run("ip", ["netns", "exec", ns, "/usr/bin/stun", A, "-v"], {
        timeout: 10_000,
      }).catch((e: { stdout?: string; stderr?: string; code?: number }) => e);
      const text = `${result.stdout ?? ""}${result.stderr ?? ""}`;
      expect(text).toMatch(/Open|open/);
      expect(text).toMatch(/MappedAddress = 127\.0\.0\.1/);
      expect(text).toMatch(/ChangedAddress = 127\.0\.0\.2:3479/);
    } finally {
      server.kill("SIGKILL");
      await run("ip", ["netns", "del", ns]).catch(() => undefined);
    }
  });
});

describe("server variants", () => {
  it("without an alternate runs the primary only, omits OTHER-ADDRESS and refuses CHANGE-REQUEST with 420", async () => {
    const server = await startStunServer({ primary: A, port: 0 });
    try {
      expect(server.endpoints.map((e) => e.transport).sort()).toEqual(["tcp", "udp"]);
      const target = server.endpoints[0]!;
      const client = await UdpStunClient.open();
      const plain = await client.request(target, fast);
      expect(getOtherAddress(plain.message)).toBeUndefined();
      const change = await client.request(target, {
        ...fast,
        attributes: [{ type: "CHANGE-REQUEST", changeIp: true, changePort: true }],
      });
      expect(getErrorCode(change.message)?.code).toBe(420);
      await client.close();
    } finally {
      await server.close();
    }
  });

  it("in lying mode answers CHANGE-REQUEST from the primary socket while claiming otherwise", async () => {
    const server = await startStunServer({
      primary: A,
      alternate: B,
      port: 0,
      altPort: 0,
      udp: true,
      tcp: false,
      lieAboutChangeRequest: true,
    });
    try {
      const { p, ap } = portsOf(server);
      const client = await UdpStunClient.open();
      const reply = await client.request(
        { address: A, port: p },
        { ...fast, attributes: [{ type: "CHANGE-REQUEST", changeIp: true, changePort: true }] },
      );
      expect(reply.from).toMatchObject({ address: A, port: p });
      expect(getResponseOrigin(reply.message)).toMatchObject({ address: B, port: ap });
      await client.close();
    } finally {
      await server.close();
    }
  });

  it("rejects bad options with a message naming them", async () => {
    await expect(startStunServer({ primary: "not-an-ip" })).rejects.toThrow(/primary must be an IP address/);
    await expect(startStunServer({ primary: A, alternate: "::1" })).rejects.toThrow(/not IPv4/);
    await expect(startStunServer({ primary: A, port: 70000 })).rejects.toThrow(/port must be an integer/);
    await expect(startStunServer({ primary: "192.0.2.1", port: 0 })).rejects.toThrow(
      /cannot start STUN server on 192\.0\.2\.1/,
    );
  });
});
