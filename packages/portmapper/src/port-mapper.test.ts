import { describe, expect, test, vi } from "vitest";
import { PortMappingError } from "./errors.js";
import type { MappingGateway } from "./gateway.js";
import { PortMapper, type PortMappingStatus } from "./port-mapper.js";

/** A router in memory whose answers the test decides; the real one is in upnp.lab.test.ts. */
function fakeGateway(): MappingGateway & { mapped: Set<number>; failNext: Error | undefined } {
  return {
    protocol: "upnp",
    location: "http://192.168.1.1:5000/rootDesc.xml",
    internalClient: "192.168.1.2",
    mapped: new Set<number>(),
    failNext: undefined,
    async externalIp() {
      return "203.0.113.7";
    },
    async mapTcp(port, leaseSeconds) {
      if (this.failNext) {
        const error = this.failNext;
        this.failNext = undefined;
        throw error;
      }
      this.mapped.add(port);
      return { externalPort: port, leaseSeconds };
    },
    async unmapTcp(port) {
      this.mapped.delete(port);
    },
  };
}

describe("PortMapper", () => {
  test("a failed renewal keeps the mapping shown with the router's reason, and the next one clears it", async () => {
    vi.useFakeTimers();
    try {
      const gateway = fakeGateway();
      const seen: PortMappingStatus[] = [];
      const mapper = new PortMapper({
        port: 6881,
        leaseSeconds: 120,
        description: "t",
        retrySeconds: 10,
        find: async () => ({ gateway, tried: [] }),
        onChange: (s) => seen.push(s),
      });
      expect(await mapper.start()).toMatchObject({
        state: "mapped",
        externalPort: 6881,
        externalIp: "203.0.113.7",
      });

      gateway.failNext = new PortMappingError(
        "the gateway refused AddPortMapping: UPnP error 501 Action Failed",
        501,
      );
      await vi.advanceTimersByTimeAsync(60_000);
      expect(mapper.status).toMatchObject({
        state: "mapped",
        error: expect.stringMatching(/501 Action Failed/),
      });

      await vi.advanceTimersByTimeAsync(10_000);
      expect(mapper.status.state).toBe("mapped");
      expect(mapper.status.error).toBeUndefined();

      await mapper.stop();
      expect(gateway.mapped.size).toBe(0);
      expect(seen.at(-1)?.state).toBe("removed");
    } finally {
      vi.useRealTimers();
    }
  });

  test("a router granting an endless-looking lease (2^32-1 s) is renewed later, not in a tight loop", async () => {
    vi.useFakeTimers();
    try {
      const gateway = fakeGateway();
      let asked = 0;
      gateway.mapTcp = async (port) => {
        asked++;
        return { externalPort: port, leaseSeconds: 0xffff_ffff };
      };
      const mapper = new PortMapper({
        port: 6881,
        leaseSeconds: 120,
        description: "t",
        find: async () => ({ gateway, tried: [] }),
      });
      expect((await mapper.start()).state).toBe("mapped");
      await vi.advanceTimersByTimeAsync(60_000);
      expect(asked).toBe(1);
      await mapper.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  test("no router answers: no-gateway with what was tried; stop is then a no-op", async () => {
    const mapper = new PortMapper({
      port: 6881,
      leaseSeconds: 120,
      description: "t",
      find: async () => ({
        gateway: undefined,
        tried: ["UPnP: no Internet Gateway Device answered SSDP discovery"],
      }),
    });
    expect(await mapper.start()).toMatchObject({ state: "no-gateway", error: expect.stringMatching(/SSDP/) });
    await mapper.stop();
    expect(mapper.status.state).toBe("removed");
  });
});
