import type { Logger } from "@autostun/plugins-api";
import { type PinholeGateway, PinholeKeeper, type PinholeRequest } from "@autostun/portmapper";
import type { TunnelState } from "@autostun/relay";
import { describe, expect, it } from "vitest";
import type { HostIpv6Address } from "./host-ipv6.js";
import type { PinholeKeeperFactory, PinholeKeeperOptions } from "./pinhole-keeper-port.js";
import { type HostIpv6Reader, type Ipv6Source, TunnelIpv6Paths } from "./tunnel-ipv6-paths.js";

const STABLE = "2001:db8:1::10";
const TEMPORARY = "2001:db8:1::beef";

/** A tunnel whose state and downloader port the test sets. */
function fakeTunnel(port: number, options: Partial<Pick<Ipv6Source, "target" | "udp">> = {}) {
  const listeners = new Set<() => void>();
  const status = { state: "OPENING" as TunnelState, reason: "" };
  let current = port;
  const source: Ipv6Source = {
    tunnel: {
      get status() {
        return status as never;
      },
      onChange(listener) {
        listeners.add(listener);
        return { dispose: () => void listeners.delete(listener) };
      },
    },
    port: () => current,
    target: options.target ?? { host: "127.0.0.1", scope: "loopback" },
    udp: options.udp ?? true,
  };
  return {
    source,
    set(state: TunnelState, nextPort = current) {
      status.state = state;
      current = nextPort;
      for (const listener of listeners) listener();
    },
  };
}

/**
 * A home router's IPv6 firewall behind the portmapper's real PinholeKeeper: `open` is what it lets in
 * now (`[address]:port/TCP`). Deleting takes a moment, so a stop that does not wait would show.
 */
function fakeRouter() {
  const open = new Set<string>();
  const requests: PinholeKeeperOptions[] = [];
  let searches = 0;
  let handles = 0;
  const name = (p: PinholeRequest) => `[${p.address}]:${p.port}/${p.transport}`;
  const gateway: PinholeGateway = {
    protocol: "upnp",
    location: "http://[fe80::1]:5000/rootDesc.xml",
    open: async (request) => {
      open.add(name(request));
      return { ...request, handle: String(++handles) };
    },
    renew: async (pinhole, leaseSeconds) => ({ ...pinhole, leaseSeconds }),
    close: async (pinhole) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      open.delete(name(pinhole));
    },
  };
  const find = async () => {
    searches++;
    return { gateway, tried: [] };
  };
  const keeper: PinholeKeeperFactory = (options) => {
    requests.push(options);
    return new PinholeKeeper(options);
  };
  return {
    open,
    requests,
    keeper,
    find,
    get searches() {
      return searches;
    },
  };
}

function fakeHost(globals: HostIpv6Address[], bound?: string[]) {
  const host: HostIpv6Reader & { globalsNow: HostIpv6Address[] } = {
    globalsNow: globals,
    globals: async () => host.globalsNow,
    localAddresses: () => ["127.0.0.1", "192.168.1.2", ...host.globalsNow.map((g) => g.address)],
    bound: async () => bound,
  };
  return host;
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;
const settle = () => new Promise((resolve) => setTimeout(resolve, 30));
const globals: HostIpv6Address[] = [
  { address: STABLE, interface: "eth0", prefixLength: 64, temporary: false },
  { address: TEMPORARY, interface: "eth0", prefixLength: 64, temporary: true },
];

function paths(
  router: ReturnType<typeof fakeRouter>,
  host: HostIpv6Reader,
  upnp: { enabled: boolean | "auto"; leaseSeconds: number } = { enabled: true, leaseSeconds: 600 },
  changed: (id: string) => void = () => {},
) {
  return new TunnelIpv6Paths({
    upnp,
    logger: quiet,
    changed,
    host,
    keeper: router.keeper,
    find: router.find,
    refreshSeconds: 0.05,
  });
}

describe("TunnelIpv6Paths", () => {
  it("opens TCP and UDP to the stable address on the downloader's port once the tunnel opens, and deletes them when it stops", async () => {
    const router = fakeRouter();
    const changes: string[] = [];
    const ipv6 = paths(router, fakeHost(globals), undefined, (id) => changes.push(id));
    const t = fakeTunnel(6881);
    ipv6.follow("qb", t.source);
    await settle();
    expect(ipv6.status("qb")).toBeUndefined();
    expect(router.open.size).toBe(0);

    t.set("OPEN");
    await settle();
    expect([...router.open].sort()).toEqual([`[${STABLE}]:6881/TCP`, `[${STABLE}]:6881/UDP`]);
    expect(ipv6.status("qb")).toMatchObject({
      address: STABLE,
      port: 6881,
      pinhole: { state: "OPEN", protocol: "upnp", tcp: true, udp: true },
    });
    expect(ipv6.status("qb")?.pinhole?.leaseEndsAt).toBeInstanceOf(Date);
    expect(router.requests[0]).toMatchObject({ leaseSeconds: 600, description: "AutoSTUN qb IPv6" });
    expect(changes.length).toBeGreaterThan(0);

    t.set("STOPPED");
    await settle();
    expect(router.open.size).toBe(0);
    expect(ipv6.status("qb")).toMatchObject({ address: STABLE, port: 6881, pinhole: { state: "REMOVED" } });
    await ipv6.stop();
  });

  it("asks for TCP only when the tunnel carries no UDP", async () => {
    const router = fakeRouter();
    const ipv6 = paths(router, fakeHost(globals));
    const t = fakeTunnel(6881, { udp: false });
    ipv6.follow("qb", t.source);
    t.set("OPEN");
    await settle();
    expect([...router.open]).toEqual([`[${STABLE}]:6881/TCP`]);
    expect(ipv6.status("qb")?.pinhole).toMatchObject({ state: "OPEN", tcp: true, udp: false });
    await ipv6.stop();
  });

  it("opens the new port and deletes the old one when the downloader's port moves", async () => {
    const router = fakeRouter();
    const ipv6 = paths(router, fakeHost(globals));
    const t = fakeTunnel(6881, { udp: false });
    ipv6.follow("qb", t.source);
    t.set("OPEN");
    await settle();
    t.set("RECOVERING", 51413);
    t.set("OPEN", 51413);
    await settle();
    expect([...router.open]).toEqual([`[${STABLE}]:51413/TCP`]);
    expect(ipv6.status("qb")).toMatchObject({ port: 51413, pinhole: { state: "OPEN" } });
    await ipv6.stop();
  });

  it("follows a new stable address on the next look, e.g. after the prefix changed", async () => {
    const router = fakeRouter();
    const host = fakeHost(globals);
    const ipv6 = paths(router, host);
    const t = fakeTunnel(6881, { udp: false });
    ipv6.follow("qb", t.source);
    t.set("OPEN");
    await settle();
    host.globalsNow = [{ address: "2001:db8:2::10", interface: "eth0", prefixLength: 64, temporary: false }];
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect([...router.open]).toEqual(["[2001:db8:2::10]:6881/TCP"]);
    expect(ipv6.status("qb")?.address).toBe("2001:db8:2::10");
    await ipv6.stop();
  });

  it("uses the global address the downloader is bound to rather than the stable one", async () => {
    const router = fakeRouter();
    const ipv6 = paths(router, fakeHost(globals, ["0.0.0.0", TEMPORARY]));
    const t = fakeTunnel(6881, { udp: false });
    ipv6.follow("qb", t.source);
    t.set("OPEN");
    await settle();
    expect([...router.open]).toEqual([`[${TEMPORARY}]:6881/TCP`]);
    await ipv6.stop();
  });

  it("opens nothing for a downloader on another machine and says why", async () => {
    const router = fakeRouter();
    const ipv6 = paths(router, fakeHost(globals));
    const t = fakeTunnel(6881, { target: { host: "192.168.1.9", scope: "lan" } });
    ipv6.follow("qb", t.source);
    t.set("OPEN");
    await settle();
    expect(router.requests).toHaveLength(0);
    const view = ipv6.status("qb");
    expect(view?.address).toBeUndefined();
    expect(view?.pinhole).toMatchObject({ state: "UNSUPPORTED", tcp: false, udp: false });
    expect(view?.pinhole?.error).toMatch(/another machine/);
    await ipv6.stop();
  });

  it("counts this host's own LAN address as this host", async () => {
    const router = fakeRouter();
    const ipv6 = paths(router, fakeHost(globals));
    const t = fakeTunnel(6881, { target: { host: "192.168.1.2", scope: "lan" }, udp: false });
    ipv6.follow("qb", t.source);
    t.set("OPEN");
    await settle();
    expect([...router.open]).toEqual([`[${STABLE}]:6881/TCP`]);
    await ipv6.stop();
  });

  it("says so when this host has no global IPv6 address", async () => {
    const router = fakeRouter();
    const ipv6 = paths(router, fakeHost([]));
    const t = fakeTunnel(6881);
    ipv6.follow("qb", t.source);
    t.set("OPEN");
    await settle();
    expect(router.requests).toHaveLength(0);
    expect(ipv6.status("qb")).toMatchObject({ port: 6881, pinhole: { state: "UNSUPPORTED" } });
    expect(ipv6.status("qb")?.pinhole?.error).toMatch(/no global IPv6 address/);
    await ipv6.stop();
  });

  it("says why when this host's addresses cannot be read, and keeps an open pinhole through a failed read", async () => {
    const router = fakeRouter();
    const host = fakeHost(globals);
    const broken: HostIpv6Reader = {
      ...host,
      globals: async () => Promise.reject(new Error("ip: not found")),
    };
    const ipv6 = paths(router, broken);
    const t = fakeTunnel(6881, { udp: false });
    ipv6.follow("qb", t.source);
    t.set("OPEN");
    await settle();
    expect(ipv6.status("qb")).toMatchObject({ port: 6881, pinhole: { state: "UNSUPPORTED" } });
    expect(ipv6.status("qb")?.pinhole?.error).toMatch(
      /cannot read this host's IPv6 addresses: ip: not found/,
    );
    await ipv6.stop();

    let failing = false;
    const flaky: HostIpv6Reader = {
      ...host,
      globals: async () => (failing ? Promise.reject(new Error("ip: timed out")) : host.globals()),
    };
    const kept = paths(router, flaky);
    const u = fakeTunnel(6882, { udp: false });
    kept.follow("tr", u.source);
    u.set("OPEN");
    await settle();
    failing = true;
    // The refresh looks again (every 50 ms here) and fails.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect([...router.open]).toEqual([`[${STABLE}]:6882/TCP`]);
    expect(kept.status("tr")?.pinhole?.state).toBe("OPEN");
    await kept.stop();
  });

  it("shows the address and port without a pinhole while upnp is off, and asks the router nothing", async () => {
    const router = fakeRouter();
    const ipv6 = paths(router, fakeHost(globals), { enabled: false, leaseSeconds: 600 });
    const t = fakeTunnel(6881);
    ipv6.follow("qb", t.source);
    t.set("OPEN");
    await settle();
    expect(ipv6.status("qb")).toEqual({ address: STABLE, port: 6881 });
    expect(router.requests).toHaveLength(0);
    expect(router.searches).toBe(0);
    await ipv6.stop();
  });

  it("deletes the pinholes when a reload turns upnp off, and opens them again when it turns on", async () => {
    const router = fakeRouter();
    const ipv6 = paths(router, fakeHost(globals));
    const t = fakeTunnel(6881, { udp: false });
    ipv6.follow("qb", t.source);
    t.set("OPEN");
    await settle();
    expect(router.open.size).toBe(1);

    await ipv6.reconfigure({ enabled: false, leaseSeconds: 600 });
    // Resolved only once the router let go of them.
    expect(router.open.size).toBe(0);
    await settle();
    expect(ipv6.status("qb")).toEqual({ address: STABLE, port: 6881 });

    await ipv6.reconfigure({ enabled: true, leaseSeconds: 900 });
    await settle();
    expect([...router.open]).toEqual([`[${STABLE}]:6881/TCP`]);
    expect(router.requests.at(-1)?.leaseSeconds).toBe(900);
    await ipv6.stop();
  });

  it("deletes every tunnel's pinholes on the daemon's stop (SIGTERM) and resolves only then", async () => {
    const router = fakeRouter();
    const ipv6 = paths(router, fakeHost(globals));
    const a = fakeTunnel(6881, { udp: true });
    const b = fakeTunnel(6882, { udp: false });
    ipv6.follow("a", a.source);
    ipv6.follow("b", b.source);
    a.set("OPEN");
    b.set("OPEN");
    await settle();
    expect(router.open.size).toBe(3);
    // Both opened on one shared router search.
    expect(router.searches).toBe(1);

    await ipv6.stop();
    expect(router.open.size).toBe(0);
    // A tunnel stopping afterwards (the relay stops them too) opens nothing again.
    a.set("OPEN");
    await settle();
    expect(router.open.size).toBe(0);
  });
});
