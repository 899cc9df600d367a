import type { PinholeKeeperFactory, PinholeKeeperStatus } from "@autostun/tunnels";

export const FAKE_ROUTER = "http://[fe80::1]:5000/rootDesc.xml";

/**
 * A home router's IPv6 firewall for daemon tests, which may not send UPnP searches anywhere: `open` is
 * what it lets in now (`[address]:port/TCP`), and the keeper opens and deletes there as the portmapper's
 * does over the wire.
 */
export function fakePinholeRouter() {
  const open = new Set<string>();
  const keeper: PinholeKeeperFactory = (request) => {
    const names = request.transports.map((t) => `[${request.address}]:${request.port}/${t}`);
    let status: PinholeKeeperStatus = {
      state: "searching",
      address: request.address,
      port: request.port,
      tcp: false,
      udp: false,
    };
    const set = (next: Partial<PinholeKeeperStatus>) => {
      status = { ...status, ...next };
      request.onChange?.(status);
    };
    return {
      get status() {
        return status;
      },
      start() {
        void request.find().then((search) => {
          if (!search.gateway) return set({ state: "no-gateway", error: search.tried.join("; ") });
          for (const name of names) open.add(name);
          set({
            state: "open",
            protocol: "upnp",
            gateway: FAKE_ROUTER,
            tcp: request.transports.includes("TCP"),
            udp: request.transports.includes("UDP"),
            leaseEndsAt: new Date(Date.now() + request.leaseSeconds * 1000),
          });
        });
      },
      async stop() {
        for (const name of names) open.delete(name);
        set({ state: "removed", tcp: false, udp: false });
      },
    };
  };
  return { open, keeper, find: async () => ({ gateway: { location: FAKE_ROUTER }, tried: [] }) };
}
