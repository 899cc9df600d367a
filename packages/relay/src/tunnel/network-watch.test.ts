import { describe, expect, test, vi } from "vitest";
import { describeChange, type NetworkSource, NetworkWatch, parseDefaultRoutes } from "./network-watch.js";

const ROUTE_V4 = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0
eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0
`;
const ROUTE_V6 = `00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003 eth0
fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001 eth0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200 lo
`;

describe("parseDefaultRoutes", () => {
  test("finds the IPv4 and IPv6 default routes and nothing else", () => {
    expect(parseDefaultRoutes(ROUTE_V4, ROUTE_V6)).toEqual([
      "eth0 via 192.168.1.1 metric 100",
      "eth0 via6 fe800000000000000000000000000001 metric 00000400",
    ]);
    expect(parseDefaultRoutes("", "")).toEqual([]);
  });
});

describe("describeChange", () => {
  test("names added and removed addresses and the route switch; nothing for equal pictures", () => {
    const before = { addresses: ["eth0 192.168.1.5"], routes: ["eth0 via 192.168.1.1 metric 100"] };
    expect(describeChange(before, before)).toBeUndefined();
    expect(
      describeChange(before, { addresses: ["eth0 192.168.1.9"], routes: ["wlan0 via 10.0.0.1 metric 600"] }),
    ).toBe(
      "local network changed: address added: eth0 192.168.1.9; address removed: eth0 192.168.1.5; " +
        "default route eth0 via 192.168.1.1 metric 100 -> wlan0 via 10.0.0.1 metric 600",
    );
  });
});

describe("NetworkWatch", () => {
  test("reports a change once, from the source it is given, and stays quiet after stop", async () => {
    let routes = ["eth0 via 192.168.1.1 metric 100"];
    const source: NetworkSource = {
      addresses: () => ["eth0 192.168.1.5"],
      defaultRoutes: async () => routes,
    };
    const changes: string[] = [];
    const watch = new NetworkWatch(
      source,
      60_000,
      (c) => changes.push(c),
      (e) => changes.push(`error ${e}`),
    );
    await watch.start();
    await watch.poll();
    expect(changes).toEqual([]);
    routes = ["eth1 via 10.1.1.1 metric 50"];
    await watch.poll();
    await watch.poll();
    expect(changes).toEqual([
      "local network changed: default route eth0 via 192.168.1.1 metric 100 -> eth1 via 10.1.1.1 metric 50",
    ]);
    watch.stop();
    routes = [];
    await watch.poll();
    expect(changes).toHaveLength(1);
  });

  test("a source that cannot be read is reported, not thrown", async () => {
    const onError = vi.fn();
    let fail = false;
    const source: NetworkSource = {
      addresses: () => [],
      defaultRoutes: async () => {
        if (fail) throw new Error("permission denied");
        return [];
      },
    };
    const watch = new NetworkWatch(source, 60_000, () => {}, onError);
    await watch.start();
    fail = true;
    await watch.poll();
    watch.stop();
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: "permission denied" }));
  });
});
