import type { PinholeGateway, PinholeRequest } from "@autostun/tunnels";

export const FAKE_ROUTER = "http://[fe80::1]:5000/rootDesc.xml";

/**
 * A home router's IPv6 firewall for daemon tests, which may not send UPnP searches anywhere: the
 * portmapper's real PinholeKeeper talks to it, and `open` is what it lets in now (`[address]:port/TCP`).
 */
export function fakePinholeRouter() {
  const open = new Set<string>();
  let handles = 0;
  const name = (p: PinholeRequest) => `[${p.address}]:${p.port}/${p.transport}`;
  const gateway: PinholeGateway = {
    protocol: "upnp",
    location: FAKE_ROUTER,
    open: async (request) => {
      open.add(name(request));
      return { ...request, handle: String(++handles) };
    },
    renew: async (pinhole, leaseSeconds) => ({ ...pinhole, leaseSeconds }),
    close: async (pinhole) => {
      open.delete(name(pinhole));
    },
  };
  return { open, find: async () => ({ gateway, tried: [] }) };
}
