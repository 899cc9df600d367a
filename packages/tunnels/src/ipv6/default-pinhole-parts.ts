import type { FindPinholeGateway, PinholeKeeperFactory, PinholeKeeperStatus } from "./pinhole-keeper-port.js";

// TEMPORARY until @autostun/portmapper exports PinholeKeeper and findPinholeGateway (branch h-pin):
// a keeper that says plainly that it cannot open anything, never one that pretends to.
const NOT_BUILT = "IPv6 pinholes are not built into this AutoSTUN yet";

export const defaultPinholeKeeper: PinholeKeeperFactory = (request) => {
  let status: PinholeKeeperStatus = {
    state: "failed",
    address: request.address,
    port: request.port,
    tcp: false,
    udp: false,
    error: NOT_BUILT,
  };
  return {
    get status() {
      return status;
    },
    start() {
      request.onChange?.(status);
    },
    async stop() {
      status = { ...status, state: "removed" };
      request.onChange?.(status);
    },
  };
};

export const defaultFindPinholeGateway: FindPinholeGateway = async () => ({ tried: [NOT_BUILT] });
