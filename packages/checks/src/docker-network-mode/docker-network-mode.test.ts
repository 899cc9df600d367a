import { execFileSync } from "node:child_process";
import { type CheckResult, localize, Services } from "@autostun/plugins-api";
import { createCommandRunner } from "@autostun/probes";
import { describe, expect, it } from "vitest";
import { fixtureServices, realServices } from "../testing/fixtures.js";
import { loadBuiltin, runLoadedCheck } from "../testing/run-check.js";

const ID = "docker.network-mode";

async function runFixture(folder: string): Promise<CheckResult> {
  const { services } = fixtureServices(`docker/${folder}`);
  const loaded = await loadBuiltin("docker-network-mode", services);
  return runLoadedCheck(loaded, ID, services);
}

function allStepText(result: CheckResult, locale: string): string {
  return (result.guidance?.steps ?? []).map((step) => localize(step, locale)).join("\n");
}

describe("docker.network-mode against recorded systems", () => {
  it("passes on a plain host with no container traces", async () => {
    const result = await runFixture("no-container");
    expect(result.status).toBe("PASS");
    expect(result.facts).toMatchObject({ inContainer: false, networkMode: "not-container", runtime: null });
  });

  it("fails in a Docker bridge network even when its gateway is not 172.x", async () => {
    const result = await runFixture("bridge");
    expect(result.status).toBe("FAIL");
    expect(result.facts).toMatchObject({
      inContainer: true,
      runtime: "docker",
      networkMode: "bridge",
      defaultRoute: { interface: "eth0", gateway: "192.168.48.1" },
    });
    expect(localize(result.summary)).toContain("192.168.48.1");
    const en = allStepText(result, "en");
    expect(en).toContain("network_mode: host");
    expect(en).toContain("--network host");
    expect(en).toMatch(/What host mode changes/);
    const zh = allStepText(result, "zh-CN");
    expect(zh).toContain("network_mode: host");
    expect(zh).toContain("host 模式带来的变化");
    expect(result.guidance?.docs).toContain("#docker-network-mode");
  });

  it("passes in Docker host mode on a LAN whose gateway is 172.16.0.1", async () => {
    const result = await runFixture("host");
    expect(result.status).toBe("PASS");
    expect(result.facts).toMatchObject({ runtime: "docker", networkMode: "host" });
    const links = (result.facts?.interfaces ?? []) as Array<{ name: string; kind: string }>;
    const kinds = links.map((l) => l.kind);
    expect(kinds).toEqual(expect.arrayContaining(["physical", "wireless", "bridge", "veth"]));
    expect(result.guidance).toBeUndefined();
  });

  it("fails in a rootful Podman bridge, naming the link kind the kernel reported", async () => {
    const result = await runFixture("podman-bridge");
    expect(result.status).toBe("FAIL");
    expect(result.facts).toMatchObject({
      runtime: "podman",
      networkMode: "bridge",
      interfaces: expect.arrayContaining([{ name: "eth0", kind: "veth", source: "ip" }]),
    });
    const signs = (result.facts?.signs ?? []) as Array<{ source: string; detail: string }>;
    expect(signs.map((s) => s.source)).toEqual([
      "/run/.containerenv",
      "/proc/1/cgroup",
      "/proc/self/mountinfo",
    ]);
    expect(signs[0]?.detail).toBe("engine podman-4.3.1");
  });

  it("fails for rootless Podman's user-mode network although the tap copies the host's name", async () => {
    const result = await runFixture("podman-pasta");
    expect(result.status).toBe("FAIL");
    expect(result.facts).toMatchObject({ runtime: "podman", networkMode: "user-mode" });
    expect(localize(result.summary, "zh-CN")).toContain("用户态网络");
  });

  it("recognises a Kubernetes pod under containerd on a veth network", async () => {
    const result = await runFixture("containerd-pod");
    expect(result.status).toBe("FAIL");
    expect(result.facts).toMatchObject({ runtime: "containerd", networkMode: "bridge" });
  });
});

describe("docker.network-mode on this machine", () => {
  it("gives a verdict from the real files and links", async () => {
    const services = realServices();
    const loaded = await loadBuiltin("docker-network-mode", services);
    const result = await runLoadedCheck(loaded, ID, services);
    expect(["PASS", "WARN", "FAIL"]).toContain(result.status);
    expect(result.facts).toHaveProperty("networkMode");
    expect(result.facts).toHaveProperty("signs");
    if (result.status !== "PASS") expect(result.guidance?.steps.length).toBeGreaterThan(0);
  });
});

describe("docker.network-mode with links made in a real network namespace", () => {
  // The fixture root holds only /.dockerenv; the links come from the kernel via `ip -d -j link`
  // run inside a namespace this test builds, so the driver names are the kernel's own.
  it("fails with only a veth and passes once a host-side bridge is visible", async () => {
    const ns = `autostun-dnm-${process.pid}-${Date.now().toString(36)}`;
    const peer = `dnm${process.pid % 100000}`;
    execFileSync("ip", ["netns", "add", ns]);
    try {
      execFileSync("ip", ["link", "add", peer, "type", "veth", "peer", "name", "eth0", "netns", ns]);
      const { services } = fixtureServices("docker/marker-only");
      services.set(Services.CommandRunner, createCommandRunner({ netns: ns }));
      const loaded = await loadBuiltin("docker-network-mode", services);
      const bridged = await runLoadedCheck(loaded, ID, services);
      expect(bridged.status).toBe("FAIL");
      expect(bridged.facts).toMatchObject({ networkMode: "bridge" });
      execFileSync("ip", ["netns", "exec", ns, "ip", "link", "add", "docker0", "type", "bridge"]);
      const hosted = await runLoadedCheck(loaded, ID, services);
      expect(hosted.status).toBe("PASS");
      expect(hosted.facts).toMatchObject({ networkMode: "host" });
    } finally {
      execFileSync("ip", ["netns", "del", ns]);
    }
  });
});
