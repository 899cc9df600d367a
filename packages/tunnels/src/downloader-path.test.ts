import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Server } from "node:net";
import { Forwarder, validateTarget } from "@autostun/relay";
import { afterEach, describe, expect, it } from "vitest";
import { choosePath, type PathSituation } from "./downloader-path.js";
import { FollowingTarget } from "./following-target.js";

const here: PathSituation = { forward: "userspace", targetScope: "loopback", nftablesPermitted: false };

describe("the path a tunnel with a downloader takes, once the public port is known", () => {
  it("a remapping gateway (Q != P): we listen on P and the downloader is told Q", () => {
    expect(choosePath(here, { localPort: 40_000, publicPort: 51_234 })).toMatchObject({
      inbound: { kind: "listen-on-p" },
      downloaderPort: 51_234,
    });
  });

  it("a port-preserving gateway and the downloader on this host: never our listener on P", () => {
    expect(choosePath(here, { localPort: 40_000, publicPort: 40_000 })).toMatchObject({
      inbound: { kind: "downloader-on-p" },
      downloaderPort: 40_000,
    });
    expect(
      choosePath({ ...here, nftablesPermitted: true }, { localPort: 40_000, publicPort: 40_000 }),
    ).toMatchObject({ inbound: { kind: "relay-port", port: 0 }, downloaderPort: 40_000 });
    expect(
      choosePath({ ...here, targetScope: "this-host" }, { localPort: 40_000, publicPort: 40_000 }).inbound
        .kind,
    ).toBe("downloader-on-p");
  });

  it("a port-preserving gateway and the downloader on another LAN machine: we keep P, it listens on P there", () => {
    expect(
      choosePath(
        { ...here, targetScope: "lan", nftablesPermitted: true },
        { localPort: 40_000, publicPort: 40_000 },
      ),
    ).toMatchObject({ inbound: { kind: "listen-on-p" }, downloaderPort: 40_000 });
  });

  it("forward: nftables stays in the kernel and DNATs to the port the downloader is told", () => {
    for (const publicPort of [40_000, 51_234])
      expect(choosePath({ ...here, forward: "nftables" }, { localPort: 40_000, publicPort })).toMatchObject({
        inbound: { kind: "kernel-dnat" },
        downloaderPort: publicPort,
      });
  });
});

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function namedServer(name: string): Promise<number> {
  const server = createServer((socket) => {
    socket.on("error", () => {});
    socket.end(name);
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

async function through(port: number): Promise<string> {
  const socket = connect({ host: "127.0.0.1", port });
  let got = "";
  socket.on("data", (chunk: Buffer) => {
    got += chunk.toString();
  });
  await once(socket, "close");
  return got;
}

describe("the forwarder's target follows the pushed port", () => {
  it("new peers go to the configured host on the new port; the host never changes", async () => {
    const old = await namedServer("configured-port");
    const moved = await namedServer("pushed-port");
    const following = new FollowingTarget(await validateTarget("bt", `127.0.0.1:${old}`));
    const forwarder = new Forwarder({ target: following.target, realAddresses: false });
    const door = createServer((socket) => forwarder.handle(socket));
    servers.push(door);
    door.listen(0, "127.0.0.1");
    await once(door, "listening");
    const doorPort = (door.address() as AddressInfo).port;

    expect(await through(doorPort)).toBe("configured-port");
    following.port = moved;
    expect(following.target.text).toBe(`127.0.0.1:${moved}`);
    expect(following.target.host).toBe("127.0.0.1");
    expect(await through(doorPort)).toBe("pushed-port");
    following.reset();
    expect(await through(doorPort)).toBe("configured-port");
    forwarder.close();
  });
});
