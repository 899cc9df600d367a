import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { PortMappingError } from "../errors.js";
import type { PinholeGatewaySearch } from "./find-pinhole-gateway.js";
import { PinholeKeeper, type PinholeKeeperOptions } from "./pinhole-keeper.js";
import type {
  GrantedPinhole,
  PinholeGateway,
  PinholeRequest,
  PinholeStatus,
  PinholeTransport,
} from "./pinhole-types.js";

const ADDRESS = "2a0b:8877:77::2";
const PORT = 51_413;

type Call = { op: "open" | "renew" | "close"; transport: PinholeTransport; at: number; lease?: number };

/** A router in memory: records each request and its time, and fails or hangs on demand. */
class FakeRouter implements PinholeGateway {
  readonly protocol = "upnp" as const;
  readonly location = "http://[2a0b:8877:77::1]:5000/rootDesc.xml";
  readonly calls: Call[] = [];
  /** Requests of these kinds fail with this UPnP error until cleared. */
  failing = new Map<string, PortMappingError>();
  /** Requests never answer (until their signal aborts): a router gone silent. */
  silent = false;
  private ids = 0;

  private async answer(op: Call["op"], transport: PinholeTransport, signal?: AbortSignal, lease?: number) {
    this.calls.push({ op, transport, at: Date.now(), lease });
    if (this.silent)
      await new Promise((_, reject) =>
        signal?.addEventListener("abort", () => reject(new PortMappingError("the request timed out")), {
          once: true,
        }),
      );
    const failure = this.failing.get(`${op} ${transport}`) ?? this.failing.get(op);
    if (failure) throw failure;
  }

  async open(request: PinholeRequest, signal?: AbortSignal): Promise<GrantedPinhole> {
    await this.answer("open", request.transport, signal, request.leaseSeconds);
    return { ...request, handle: String(++this.ids) };
  }

  async renew(pinhole: GrantedPinhole, leaseSeconds: number, signal?: AbortSignal): Promise<GrantedPinhole> {
    await this.answer("renew", pinhole.transport, signal, leaseSeconds);
    return { ...pinhole, leaseSeconds };
  }

  async close(pinhole: GrantedPinhole, signal?: AbortSignal): Promise<void> {
    await this.answer("close", pinhole.transport, signal);
  }

  of(op: Call["op"]): PinholeTransport[] {
    return this.calls.filter((c) => c.op === op).map((c) => c.transport);
  }
}

function keeperWith(router: FakeRouter | undefined, overrides: Partial<PinholeKeeperOptions> = {}) {
  const seen: PinholeStatus[] = [];
  const keeper = new PinholeKeeper({
    address: ADDRESS,
    port: PORT,
    transports: ["TCP", "UDP"],
    leaseSeconds: 120,
    description: "autostun test",
    retrySeconds: 10,
    requestTimeoutMs: 3_000,
    find: async (): Promise<PinholeGatewaySearch> =>
      router ? { gateway: router, tried: [] } : { tried: ["UPnP: no Internet Gateway Device answered"] },
    onChange: (status) => seen.push(status),
    ...overrides,
  });
  return { keeper, seen };
}

describe("PinholeKeeper", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.UTC(2026, 11, 8, 0, 0, 0) });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test("opens TCP and UDP, then renews both at half the lease, moving the lease end", async () => {
    const router = new FakeRouter();
    const { keeper } = keeperWith(router);
    keeper.start();
    await vi.advanceTimersByTimeAsync(0);
    const opened = keeper.status;
    expect(opened).toMatchObject({
      state: "open",
      protocol: "upnp",
      gateway: router.location,
      address: ADDRESS,
      port: PORT,
      tcp: true,
      udp: true,
    });
    expect(opened.leaseEndsAt?.getTime()).toBe(Date.now() + 120_000);
    expect(router.of("open").sort()).toEqual(["TCP", "UDP"]);

    await vi.advanceTimersByTimeAsync(59_000);
    expect(router.of("renew")).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(router.of("renew").sort()).toEqual(["TCP", "UDP"]);
    expect(keeper.status.leaseEndsAt?.getTime()).toBe(opened.leaseEndsAt!.getTime() + 60_000);
    await keeper.stop();
  });

  test("a refused pinhole is failed with the router's reason, tried again, and open once granted", async () => {
    const router = new FakeRouter();
    router.failing.set("open UDP", new PortMappingError("UPnP error 606 Action not authorized", 606));
    const { keeper } = keeperWith(router);
    keeper.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(keeper.status).toMatchObject({ state: "failed", tcp: true, udp: false });
    expect(keeper.status.error).toBe("UDP: UPnP error 606 Action not authorized");

    router.failing.clear();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(keeper.status).toMatchObject({ state: "open", tcp: true, udp: true });
    expect(keeper.status.error).toBeUndefined();
    // The TCP pinhole was renewed in that round, not opened twice.
    expect(router.of("open").sort()).toEqual(["TCP", "UDP", "UDP"]);
    await keeper.stop();
  });

  test("a failed renewal keeps the pinholes open while their lease runs, and is retried before it ends", async () => {
    const router = new FakeRouter();
    const { keeper } = keeperWith(router, { leaseSeconds: 40, retrySeconds: 30 });
    keeper.start();
    await vi.advanceTimersByTimeAsync(0);
    router.failing.set("renew", new PortMappingError("the gateway did not answer UpdatePinhole"));
    await vi.advanceTimersByTimeAsync(20_000);
    expect(keeper.status).toMatchObject({ state: "open", tcp: true, udp: true });
    expect(keeper.status.error).toContain("did not answer UpdatePinhole");
    // 20 s of lease left: the retry comes after half of it (10 s), not after retrySeconds (30 s).
    router.failing.clear();
    const renewals = router.of("renew").length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(router.of("renew").length).toBe(renewals + 2);
    expect(keeper.status.error).toBeUndefined();
    await keeper.stop();
  });

  test("no router: no-gateway with what was tried, and searched again later", async () => {
    let searches = 0;
    const { keeper } = keeperWith(undefined, {
      find: async () => {
        searches++;
        return {
          tried: ["UPnP: no Internet Gateway Device answered", "PCP: no answer from fe80::1%eth0:5351"],
        };
      },
    });
    keeper.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(keeper.status).toMatchObject({ state: "no-gateway", tcp: false, udp: false });
    expect(keeper.status.error).toContain("PCP: no answer");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(searches).toBe(2);
    await keeper.stop();
  });

  test("stop deletes both pinholes and reports removed; nothing is renewed afterwards", async () => {
    const router = new FakeRouter();
    const { keeper, seen } = keeperWith(router);
    keeper.start();
    await vi.advanceTimersByTimeAsync(0);
    await keeper.stop();
    expect(router.of("close").sort()).toEqual(["TCP", "UDP"]);
    expect(seen.at(-1)).toMatchObject({ state: "removed", tcp: false, udp: false, leaseEndsAt: undefined });
    expect(seen.at(-1)?.error).toBeUndefined();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(router.of("renew")).toEqual([]);
  });

  test("stop with a router gone silent ends after the request bound, saying the deletion failed", async () => {
    const router = new FakeRouter();
    const { keeper } = keeperWith(router, { requestTimeoutMs: 2_000 });
    keeper.start();
    await vi.advanceTimersByTimeAsync(0);
    router.silent = true;
    let done = false;
    const stopping = keeper.stop().then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(1_999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await stopping;
    expect(keeper.status.state).toBe("removed");
    expect(keeper.status.error).toMatch(/^deleting the pinholes: (TCP|UDP): the request timed out/);
  });

  test("stop during the search opens nothing and leaves no pinhole behind", async () => {
    const router = new FakeRouter();
    let release: (() => void) | undefined;
    const { keeper } = keeperWith(router, {
      find: () =>
        new Promise<PinholeGatewaySearch>((resolve) => {
          release = () => resolve({ gateway: router, tried: [] });
        }),
    });
    keeper.start();
    const stopping = keeper.stop();
    release?.();
    await stopping;
    expect(router.calls).toEqual([]);
    expect(keeper.status.state).toBe("removed");
  });

  test("asks for the one transport it is given", async () => {
    const router = new FakeRouter();
    const { keeper } = keeperWith(router, { transports: ["TCP"] });
    keeper.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(keeper.status).toMatchObject({ state: "open", tcp: true, udp: false });
    expect(router.of("open")).toEqual(["TCP"]);
    await keeper.stop();
  });
});
