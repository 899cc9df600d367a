import { Transmission } from "@ctrl/transmission";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DownloaderPush } from "../../push/downloader-push.js";
import { acceptsConnections } from "../../push/listening.js";
import { DownloaderNamespace } from "../../testing/downloader-namespace.js";
import { recordingLogger } from "../../testing/recording-logger.js";
import { writeTransmissionSettings } from "../../testing/transmission-settings.js";
import { transmissionAdapter } from "./transmission-adapter.js";

const RPC_PORT = 9091;
const PASSWORD = "lab-password";

describe("Transmission (transmission-daemon from Debian) in a namespace of its own", () => {
  let lab: DownloaderNamespace;
  let url = "";

  beforeAll(async () => {
    lab = DownloaderNamespace.create();
    url = `http://${lab.ip}:${RPC_PORT}`;
    // The test reaches the RPC from the host's end of the veth, which the default whitelist refuses.
    const dir = writeTransmissionSettings({
      rpcPort: RPC_PORT,
      rpcAddress: "0.0.0.0",
      password: PASSWORD,
      rpcWhitelist: false,
    });
    const client = lab.start(["transmission-daemon", "-f", "-g", dir]);
    await lab.waitForPort(RPC_PORT, "transmission-daemon", client);
  });
  afterAll(() => lab?.dispose());

  it("passes the session-id handshake and names its version", async () => {
    const adapter = transmissionAdapter({ url, username: "admin", password: PASSWORD });
    expect(await adapter.describe()).toMatchObject({
      client: "Transmission",
      version: expect.stringMatching(/^\d+\.\d+/),
    });
  });

  it("takes a new peer port, reports it and really listens on it", async () => {
    const adapter = transmissionAdapter({ url, username: "admin", password: PASSWORD });
    const status = await new DownloaderPush({
      kind: "transmission",
      url,
      adapter,
      logger: recordingLogger(),
    }).push(40211);
    expect(status).toMatchObject({ state: "VERIFIED", verifiedPort: 40211, error: undefined });
    expect(await adapter.getListenPort()).toBe(40211);
    expect(await acceptsConnections(lab.ip, 40211)).toBe(true);
  });

  it("says the credentials were refused for a wrong password", async () => {
    const adapter = transmissionAdapter({ url, username: "admin", password: "wrong" });
    const status = await new DownloaderPush({
      kind: "transmission",
      url,
      adapter,
      logger: recordingLogger(),
    }).push(40212);
    expect(status).toMatchObject({ state: "FAILED", error: { kind: "CREDENTIALS_REFUSED" }, attempts: 1 });
  });

  it("says it is unreachable where nothing answers", async () => {
    const adapter = transmissionAdapter({ url: `http://${lab.ip}:1`, username: "admin", password: PASSWORD });
    await expect(adapter.getListenPort()).rejects.toMatchObject({ kind: "UNREACHABLE" });
  });
});

describe.each([
  { dht: false, shown: "off" },
  { dht: true, shown: "on" },
])("Transmission's UDP socket (uTP, DHT) with DHT $shown", ({ dht }) => {
  let lab: DownloaderNamespace;
  let url = "";
  let pid = 0;

  beforeAll(async () => {
    lab = DownloaderNamespace.create();
    url = `http://${lab.ip}:${RPC_PORT}`;
    const dir = writeTransmissionSettings({
      rpcPort: RPC_PORT,
      rpcAddress: "0.0.0.0",
      password: PASSWORD,
      rpcWhitelist: false,
      peerPort: 51413,
      dht,
    });
    const client = lab.start(["transmission-daemon", "-f", "-g", dir]);
    await lab.waitForPort(RPC_PORT, "transmission-daemon", client);
    // `ip netns exec` execs the daemon, so the child's pid is the daemon's.
    pid = client.pid as number;
  });
  afterAll(() => lab?.dispose());

  const push = (port: number) =>
    new DownloaderPush({
      kind: "transmission",
      url,
      adapter: transmissionAdapter({ url, username: "admin", password: PASSWORD }),
      logger: recordingLogger(),
    }).push(port);

  it("moves UDP to the pushed port with TCP, and leaves the user's DHT setting as it was", async () => {
    expect(await lab.udpPorts(pid, (ports) => ports.join() === "51413")).toEqual([51413]);
    expect(await push(40311)).toMatchObject({ state: "VERIFIED", verifiedPort: 40311 });
    // Nothing may stay on the old port: uTP peers who still knew it would get no answer from a live client.
    expect(await lab.udpPorts(pid, (ports) => ports.join() === "40311")).toEqual([40311]);
    const session = await new Transmission({
      baseUrl: url,
      username: "admin",
      password: PASSWORD,
    }).getSession();
    expect(session.arguments["dht-enabled"]).toBe(dht);
    expect(session.arguments["peer-port"]).toBe(40311);
  });

  it("leaves the UDP socket alone when pushed the port it already has", async () => {
    const before = lab.udpSockets(pid);
    expect(before.map((socket) => socket.port)).toEqual([40311]);
    expect(await push(40311)).toMatchObject({ state: "VERIFIED", verifiedPort: 40311 });
    // Reopening it would restart DHT and drop uTP sessions for nothing.
    expect(lab.udpSockets(pid)).toEqual(before);
  });
});
