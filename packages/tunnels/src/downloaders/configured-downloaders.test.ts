import type { TunnelConfig } from "@autostun/config";
import { type DownloaderStatus, idleDownloaderStatus } from "@autostun/downloaders";
import { DownloaderError, type Logger } from "@autostun/plugins-api";
import { describe, expect, it } from "vitest";
import { ConfiguredDownloaders } from "./configured-downloaders.js";

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

const tunnel = {
  id: "bt",
  downloader: { kind: "fussy", url: "http://127.0.0.1:1/", username: "admin", password: "s3cret-pass" },
} as unknown as TunnelConfig;

describe("ConfiguredDownloaders.probe", () => {
  it("reports an adapter that refuses the settings as not usable instead of throwing", async () => {
    const downloaders = new ConfiguredDownloaders({
      tunnels: () => [tunnel],
      logger: silent,
      resolve: async () => ({
        factory: () => {
          throw new DownloaderError("UNSUPPORTED", "this adapter needs an https URL");
        },
      }),
    });
    const result = await downloaders.probe("bt");
    expect(result).toMatchObject({
      answered: false,
      authOk: undefined,
      addresses: ["127.0.0.1"],
      error: { kind: "UNSUPPORTED", message: "this adapter needs an https URL" },
    });
    expect(JSON.stringify(result)).not.toContain("s3cret-pass");
  });
});

/** A client that takes one password and counts every login it is asked for. */
function fussyClient(accepted: string) {
  const logins: string[] = [];
  const resolve = async () => ({
    factory: (settings: { password?: string }) => ({
      async describe() {
        logins.push(settings.password ?? "");
        if (settings.password !== accepted) throw new DownloaderError("CREDENTIALS_REFUSED", "login refused");
        return { client: "Fussy", version: "1.0" };
      },
      async getListenPort() {
        return 0;
      },
      async setListenPort() {},
    }),
  });
  return { logins, resolve };
}

const refusedByPush = (at: Date): DownloaderStatus => ({
  ...idleDownloaderStatus("fussy", "http://127.0.0.1:1"),
  state: "FAILED",
  requestedPort: 40_000,
  lastPushAt: at,
  attempts: 1,
  error: { kind: "CREDENTIALS_REFUSED", message: "push: login refused", summary: "refused" },
});

describe("ConfiguredDownloaders.probe does not repeat a refused login", () => {
  it("answers the push's refusal of the same settings without logging in, and logs in once they change", async () => {
    const client = fussyClient("right");
    let current = tunnel;
    const at = new Date("2026-01-02T03:04:05Z");
    const downloaders = new ConfiguredDownloaders({
      tunnels: () => [current],
      logger: silent,
      resolve: client.resolve,
      // The push ran with the settings the tunnel had then (the first ones).
      pushed: () => ({ settings: tunnel.downloader as never, status: refusedByPush(at) }),
    });
    for (let i = 0; i < 3; i++)
      expect(await downloaders.probe("bt")).toMatchObject({
        answered: true,
        authOk: false,
        error: { kind: "CREDENTIALS_REFUSED", message: "push: login refused" },
        reused: { by: "push", at: at.toISOString() },
      });
    expect(client.logins).toEqual([]);
    current = { ...tunnel, downloader: { ...tunnel.downloader, password: "right" } } as TunnelConfig;
    const fixed = await downloaders.probe("bt");
    expect(fixed).toMatchObject({ answered: true, authOk: true });
    expect(fixed.reused).toBeUndefined();
    expect(client.logins).toEqual(["right"]);
  });

  it("logs in once for refused settings the push has not tried, then repeats that refusal until a push comes after it", async () => {
    const client = fussyClient("right");
    let push: DownloaderStatus | undefined;
    const downloaders = new ConfiguredDownloaders({
      tunnels: () => [tunnel],
      logger: silent,
      resolve: client.resolve,
      pushed: () => (push ? { settings: tunnel.downloader as never, status: push } : undefined),
    });
    const first = await downloaders.probe("bt");
    expect(first).toMatchObject({ authOk: false, error: { kind: "CREDENTIALS_REFUSED" } });
    expect(first.reused).toBeUndefined();
    const again = await downloaders.probe("bt");
    expect(again).toMatchObject({ authOk: false, reused: { by: "probe" } });
    expect(client.logins).toHaveLength(1);
    // pushDownloaderPort: the push tried again afterwards and got past the login (the client was fixed).
    push = {
      ...refusedByPush(new Date(Date.now() + 1000)),
      state: "VERIFIED",
      verifiedPort: 40_000,
      error: undefined,
    };
    await downloaders.probe("bt");
    expect(client.logins).toHaveLength(2);
  });

  it("keeps no refusal in memory in a form that shows the password", async () => {
    const client = fussyClient("right");
    const downloaders = new ConfiguredDownloaders({
      tunnels: () => [tunnel],
      logger: silent,
      resolve: client.resolve,
    });
    const result = await downloaders.probe("bt");
    expect(JSON.stringify(result)).not.toContain("s3cret-pass");
    expect(
      JSON.stringify([...(downloaders as unknown as { refusals: Map<string, unknown> }).refusals]),
    ).not.toContain("s3cret-pass");
  });
});

describe("ConfiguredDownloaders.list", () => {
  it("says a tunnel signs in with its API key only where the adapter sends one", async () => {
    const withKey = (id: string, kind: string) =>
      ({
        id,
        downloader: { kind, url: "http://127.0.0.1:1/", password: "pw", apiKey: "qbt_key" },
      }) as unknown as TunnelConfig;
    const downloaders = new ConfiguredDownloaders({
      tunnels: () => [withKey("qb", "qbittorrent"), withKey("dl", "deluge"), withKey("pl", "plugin-kind")],
      logger: silent,
      resolve: async () => ({ error: "unused" }) as never,
    });
    const listed = await downloaders.list();
    // Deluge's adapter ignores a key and logs in with the password: a refusal is the password's.
    expect(listed.map((d) => [d.tunnelId, d.usesApiKey ?? false])).toEqual([
      ["qb", true],
      ["dl", false],
      ["pl", true],
    ]);
    expect(listed.every((d) => d.hasCredentials)).toBe(true);
  });
});

describe("ConfiguredDownloaders' IPv6 calls", () => {
  /** A client whose peer list needs a login: refused unless the password is right. */
  function peerClient(accepted: string, withPeers = true) {
    const asked: string[] = [];
    const disposed: string[] = [];
    const resolve = async () => ({
      factory: (settings: { password?: string }) => ({
        async describe() {
          return { client: "Peers", version: "1.0" };
        },
        async getListenPort() {
          return 0;
        },
        async setListenPort() {},
        ...(withPeers
          ? {
              async listPeers() {
                asked.push(settings.password ?? "");
                if (settings.password !== accepted)
                  throw new DownloaderError("CREDENTIALS_REFUSED", "login refused");
                return [{ address: "[2001:db8::7]:51413", incoming: true }];
              },
            }
          : {}),
        dispose() {
          disposed.push(settings.password ?? "");
        },
      }),
    });
    return { asked, disposed, resolve };
  }

  it("lists peers through the tunnel's adapter and logs out after", async () => {
    const client = peerClient("s3cret-pass");
    const downloaders = new ConfiguredDownloaders({
      tunnels: () => [tunnel],
      logger: silent,
      resolve: client.resolve,
    });
    expect(await downloaders.peers("bt")).toEqual({
      supported: true,
      peers: [{ address: "[2001:db8::7]:51413", incoming: true }],
    });
    expect(client.disposed).toEqual(["s3cret-pass"]);
  });

  it("says when the adapter lists no peers, and fails a change it cannot make with the tunnel's name", async () => {
    const client = peerClient("s3cret-pass", false);
    const downloaders = new ConfiguredDownloaders({
      tunnels: () => [tunnel],
      logger: silent,
      resolve: client.resolve,
    });
    expect(await downloaders.peers("bt")).toEqual({ supported: false, peers: [] });
    expect(await downloaders.ipv6Listening("bt")).toBeUndefined();
    await expect(downloaders.listenOnIpv6("bt")).rejects.toThrow(
      /tunnel bt cannot be told to listen on IPv6/,
    );
  });

  it("keeps a refused login and does not ask again with the same settings, as probe() does", async () => {
    const client = peerClient("other");
    const downloaders = new ConfiguredDownloaders({
      tunnels: () => [tunnel],
      logger: silent,
      resolve: client.resolve,
    });
    const first = await downloaders.peers("bt");
    expect(first).toMatchObject({ peers: [], error: { kind: "CREDENTIALS_REFUSED" } });
    const again = await downloaders.peers("bt");
    expect(again).toMatchObject({ error: { kind: "CREDENTIALS_REFUSED" } });
    expect(client.asked).toHaveLength(1);
    expect(JSON.stringify([first, again])).not.toContain("s3cret-pass");
  });
});
