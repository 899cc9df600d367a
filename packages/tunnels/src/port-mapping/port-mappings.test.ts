import type { Logger } from "@autostun/plugins-api";
import type { MappingGateway } from "@autostun/portmapper";
import type { Tunnel, TunnelState } from "@autostun/relay";
import { describe, expect, it } from "vitest";
import { UpnpMappings } from "./port-mappings.js";

/** A tunnel whose state the test sets; the real one is in the lab test (upnp.lab.test.ts). */
function fakeTunnel(localPort: number) {
  const listeners = new Set<() => void>();
  const status: { state: TunnelState; localPort: number | undefined } = { state: "OPENING", localPort };
  return {
    tunnel: {
      get status() {
        return status;
      },
      onChange(listener: () => void) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    } as unknown as Tunnel,
    set(state: TunnelState, port = status.localPort) {
      status.state = state;
      status.localPort = port;
      for (const listener of listeners) listener();
    },
  };
}

function fakeRouter() {
  const mapped = new Set<number>();
  const gateway: MappingGateway = {
    protocol: "nat-pmp",
    location: "192.168.1.1",
    internalClient: "192.168.1.2",
    externalIp: async () => "203.0.113.9",
    mapTcp: async (port, leaseSeconds) => {
      mapped.add(port);
      return { externalPort: port, leaseSeconds };
    },
    unmapTcp: async (port) => {
      mapped.delete(port);
    },
  };
  return { gateway, mapped };
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("UpnpMappings", () => {
  it("maps P when the tunnel opens, follows a new P, and removes the mapping when it stops", async () => {
    const router = fakeRouter();
    const mappings = new UpnpMappings(
      { enabled: true, leaseSeconds: 600 },
      quiet,
      () => {},
      async () => ({
        gateway: router.gateway,
        tried: [],
      }),
    );
    const t = fakeTunnel(6881);
    mappings.follow("qb", t.tunnel);
    await settle();
    expect(router.mapped.size).toBe(0);

    t.set("OPEN");
    await settle();
    expect([...router.mapped]).toEqual([6881]);
    expect(mappings.status("qb")).toMatchObject({
      state: "mapped",
      externalIp: "203.0.113.9",
      externalPort: 6881,
    });

    t.set("OPEN", 6999);
    await settle();
    expect([...router.mapped]).toEqual([6999]);

    t.set("STOPPED");
    await mappings.stop();
    expect(router.mapped.size).toBe(0);
    expect(mappings.status("qb")?.state).toBe("removed");
  });

  it('"auto" keeps quiet about a missing router; true shows what was tried', async () => {
    const none = async () => ({
      gateway: undefined,
      tried: ["UPnP: no Internet Gateway Device answered SSDP discovery"],
    });
    for (const enabled of ["auto", true] as const) {
      const mappings = new UpnpMappings({ enabled, leaseSeconds: 600 }, quiet, () => {}, none);
      const t = fakeTunnel(6881);
      mappings.follow("qb", t.tunnel);
      t.set("OPEN");
      await settle();
      const status = mappings.status("qb");
      expect(status?.state).toBe("no-gateway");
      if (enabled === "auto") expect(status?.error).toBeUndefined();
      else expect(status?.error).toMatch(/SSDP/);
      await mappings.stop();
    }
  });

  it("a router search still under way ends when the daemon stops, instead of holding the stop", async () => {
    // Like a LAN host that answered SSDP and then never finishes sending its description.
    const mappings = new UpnpMappings(
      { enabled: true, leaseSeconds: 600 },
      quiet,
      () => {},
      ({ signal }) =>
        new Promise((resolve) =>
          signal?.addEventListener("abort", () => resolve({ gateway: undefined, tried: ["cancelled"] })),
        ),
    );
    const t = fakeTunnel(6881);
    mappings.follow("qb", t.tunnel);
    t.set("OPEN");
    await settle();
    expect(mappings.status("qb")?.state).toBe("searching");
    await mappings.stop();
    expect(mappings.status("qb")?.state).toBe("removed");
  });

  it("asks nothing at all while upnp is off", async () => {
    let asked = 0;
    const mappings = new UpnpMappings(
      { enabled: false, leaseSeconds: 600 },
      quiet,
      () => {},
      async () => {
        asked++;
        return { gateway: undefined, tried: [] };
      },
    );
    const t = fakeTunnel(6881);
    mappings.follow("qb", t.tunnel);
    t.set("OPEN");
    await settle();
    expect(asked).toBe(0);
    expect(mappings.status("qb")).toBeUndefined();
  });

  it("a reloaded upnp section applies at once: on maps the open tunnel, a new lease maps it again, off removes it", async () => {
    const router = fakeRouter();
    const calls: string[] = [];
    const gateway: MappingGateway = {
      ...router.gateway,
      mapTcp: async (port, lease, description) => {
        calls.push(`map ${port} ${lease}`);
        return router.gateway.mapTcp(port, lease, description);
      },
      unmapTcp: async (port) => {
        calls.push(`unmap ${port}`);
        return router.gateway.unmapTcp(port);
      },
    };
    let searches = 0;
    const changed: string[] = [];
    const mappings = new UpnpMappings(
      { enabled: false, leaseSeconds: 600 },
      quiet,
      (id) => changed.push(id),
      async () => {
        searches++;
        return { gateway, tried: [] };
      },
    );
    const t = fakeTunnel(6881);
    mappings.follow("qb", t.tunnel);
    t.set("OPEN");
    await settle();
    expect(calls).toEqual([]);

    await mappings.reconfigure({ enabled: "auto", leaseSeconds: 600 });
    await settle();
    expect(calls).toEqual(["map 6881 600"]);
    expect(mappings.status("qb")).toMatchObject({ state: "mapped", externalPort: 6881 });
    expect(changed).toContain("qb");

    // Another lease: the old mapping is removed before the new one is asked for, after a new search.
    await mappings.reconfigure({ enabled: "auto", leaseSeconds: 1200 });
    await settle();
    expect(calls).toEqual(["map 6881 600", "unmap 6881", "map 6881 1200"]);
    expect(searches).toBe(2);
    expect([...router.mapped]).toEqual([6881]);

    // The same settings again change nothing.
    await mappings.reconfigure({ enabled: "auto", leaseSeconds: 1200 });
    await settle();
    expect(calls).toHaveLength(3);

    await mappings.reconfigure({ enabled: false, leaseSeconds: 1200 });
    expect(calls.at(-1)).toBe("unmap 6881");
    expect(router.mapped.size).toBe(0);
    expect(mappings.status("qb")).toBeUndefined();
    // Off means off: the tunnel changing port maps nothing.
    t.set("OPEN", 6999);
    await settle();
    expect(router.mapped.size).toBe(0);
    await mappings.stop();
  });

  it('"auto" still shows a search this host could not send: that is not a router staying silent', async () => {
    const searchError =
      "the SSDP search for a router could not be made from 10.0.0.2:40000 (eth0): send EPERM 239.255.255.250:1900; no router was asked";
    const warned: string[] = [];
    const logger = { ...quiet, warn: (message: string) => warned.push(message) } as unknown as Logger;
    const mappings = new UpnpMappings(
      { enabled: "auto", leaseSeconds: 600 },
      logger,
      () => {},
      async () => ({
        gateway: undefined,
        tried: [`UPnP: ${searchError}`],
        searchError,
      }),
    );
    const t = fakeTunnel(6881);
    mappings.follow("qb", t.tunnel);
    t.set("OPEN");
    await settle();
    expect(mappings.status("qb")).toMatchObject({ state: "no-gateway", error: `UPnP: ${searchError}` });
    expect(warned.join("\n")).toContain("the search for a home router could not be made");
    await mappings.stop();
  });
});

describe("UpnpMappings for the upnp.gateway check", () => {
  it("offers a tunnel's mapping while the router holds it, and shares one router search with the check", async () => {
    const router = fakeRouter();
    let searches = 0;
    const mappings = new UpnpMappings(
      { enabled: true, leaseSeconds: 600 },
      quiet,
      () => {},
      async () => {
        searches++;
        return { gateway: router.gateway, tried: [] };
      },
    );
    expect(mappings.held()).toEqual([]);
    const t = fakeTunnel(6881);
    mappings.follow("qb", t.tunnel);
    t.set("OPEN");
    await settle();
    expect(mappings.held()).toMatchObject([
      {
        tunnelId: "qb",
        port: 6881,
        status: { state: "mapped", internalClient: "192.168.1.2", externalIp: "203.0.113.9" },
      },
    ]);
    // The tunnel's search is still fresh: the check gets the same router without a new search.
    expect((await mappings.searchGateway()).gateway).toBe(router.gateway);
    expect(searches).toBe(1);
    t.set("STOPPED");
    await settle();
    expect(mappings.held()).toEqual([]);
    await mappings.stop();
  });

  it("does not offer a mapping whose last renewal the router refused", async () => {
    const router = fakeRouter();
    let refuse = false;
    const gateway: MappingGateway = {
      ...router.gateway,
      mapTcp: async (port, leaseSeconds) => {
        if (refuse) throw new Error("UPnP error 606 Action not authorized");
        return router.gateway.mapTcp(port, leaseSeconds, "", undefined);
      },
    };
    // A one-second lease: the renewal comes at half of it.
    const mappings = new UpnpMappings(
      { enabled: true, leaseSeconds: 1 },
      quiet,
      () => {},
      async () => ({
        gateway,
        tried: [],
      }),
    );
    const t = fakeTunnel(6881);
    mappings.follow("qb", t.tunnel);
    t.set("OPEN");
    await settle();
    expect(mappings.held()).toHaveLength(1);
    refuse = true;
    for (let i = 0; i < 100 && mappings.held().length > 0; i++) await settle();
    expect(mappings.status("qb")).toMatchObject({ error: expect.stringContaining("606") });
    expect(mappings.held()).toEqual([]);
    await mappings.stop();
  });
});
