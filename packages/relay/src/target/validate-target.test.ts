import { describe, expect, it } from "vitest";
import { TargetRefusedError } from "./target-error.js";
import { validateTarget } from "./validate-target.js";

const noInterfaces = { localAddresses: () => [] };

describe("validateTarget", () => {
  it.each([
    ["127.0.0.1:6881", "loopback"],
    ["[::1]:6881", "loopback"],
    ["192.168.1.20:6881", "lan"],
    ["10.0.0.5:51413", "lan"],
    ["172.31.255.1:6881", "lan"],
    ["[fd12:3456::1]:6881", "lan"],
  ])("accepts %s as %s", async (target, scope) => {
    expect((await validateTarget("qb", target, noInterfaces)).scope).toBe(scope);
  });

  it.each([
    "8.8.8.8:6881",
    "[2001:4860:4860::8888]:6881",
    "100.64.1.1:6881",
    "172.32.0.1:6881",
    "0.0.0.0:6881",
    "[::ffff:8.8.8.8]:6881",
  ])("refuses %s, naming the tunnel and the target", async (target) => {
    const refusal = validateTarget("qb", target, noInterfaces);
    await expect(refusal).rejects.toBeInstanceOf(TargetRefusedError);
    await expect(refusal).rejects.toThrow(`tunnel "qb": target "${target}"`);
  });

  it.each([
    ["169.254.169.254:80", /cloud metadata service \(AWS/],
    ["169.254.170.2:80", /cloud metadata service \(AWS ECS/],
    ["[fd00:ec2::254]:80", /cloud metadata service \(AWS EC2/],
    ["100.100.100.200:80", /Alibaba/],
    ["168.63.129.16:80", /Azure WireServer/],
    ["169.254.10.10:6881", /link-local/],
    ["[fe80::1]:6881", /link-local/],
  ])("refuses %s whatever this host's addresses are", async (target, why) => {
    const local = { localAddresses: () => ["169.254.10.10", "100.100.100.200", "168.63.129.16"] };
    await expect(validateTarget("qb", target, local)).rejects.toThrow(why);
  });

  it("refuses a name that resolves to the metadata service", async () => {
    const refusal = validateTarget("qb", "metadata.google.internal:80", {
      ...noInterfaces,
      lookup: async () => ["169.254.169.254"],
    });
    await expect(refusal).rejects.toThrow(
      /metadata\.google\.internal → 169\.254\.169\.254: .*cloud metadata/,
    );
  });

  it("refuses a port this host serves itself on loopback, but not the same port on the LAN", async () => {
    const ownPorts = () => [{ port: 7878, what: "the daemon's own API", advice: "Use another port." }];
    await expect(validateTarget("qb", "127.0.0.1:7878", { ...noInterfaces, ownPorts })).rejects.toThrow(
      /port 7878 of this host is the daemon's own API\. Use another port\./,
    );
    expect((await validateTarget("qb", "192.168.1.9:7878", { ...noInterfaces, ownPorts })).scope).toBe("lan");
    const onThisLan = { localAddresses: () => ["192.168.1.9"], ownPorts };
    await expect(validateTarget("qb", "192.168.1.9:7878", onThisLan)).rejects.toThrow(/daemon's own API/);
  });

  it("accepts any address of this machine, even outside the private ranges", async () => {
    const target = await validateTarget("qb", "100.100.1.2:6881", { localAddresses: () => ["100.100.1.2"] });
    expect(target.scope).toBe("this-host");
  });

  it("resolves a name once and pins its address", async () => {
    const target = await validateTarget("qb", "qbittorrent:6881", {
      ...noInterfaces,
      lookup: async () => ["172.18.0.3"],
    });
    expect(target).toMatchObject({ host: "172.18.0.3", port: 6881, scope: "lan" });
  });

  it("refuses a name with any address outside loopback and LAN", async () => {
    const refusal = validateTarget("qb", "mixed.example:6881", {
      ...noInterfaces,
      lookup: async () => ["192.168.1.2", "203.0.113.7"],
    });
    await expect(refusal).rejects.toThrow(/tunnel "qb".*mixed\.example → 203\.0\.113\.7/);
  });

  it("refuses a name that does not resolve and a target without a port", async () => {
    const failing = async () => {
      throw new Error("getaddrinfo ENOTFOUND nowhere");
    };
    await expect(validateTarget("qb", "nowhere:6881", { ...noInterfaces, lookup: failing })).rejects.toThrow(
      /tunnel "qb".*does not resolve/,
    );
    await expect(validateTarget("qb", "127.0.0.1", noInterfaces)).rejects.toThrow(/tunnel "qb"/);
  });
});
