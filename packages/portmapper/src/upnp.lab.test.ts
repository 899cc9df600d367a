import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { Lab } from "@autostun/netlab";
import { createTestLab } from "@autostun/netlab/testing";
import { describe, expect, type TestContext, test } from "vitest";
import type { PortMappingStatus } from "./port-mapper.js";
import type { RunMapperConfig } from "./testing/run-mapper.js";

/**
 * The port mapper against real miniupnpd on the two-level lab's home router: UPnP found by SSDP inside
 * the lab, NAT-PMP on the default gateway, renewal before the lease ends, removal on stop, and a
 * router whose permission rules deny the port.
 */

const RUNNER = new URL("./testing/run-mapper.ts", import.meta.url).pathname;
const PORT = 41_234;

type Line = PortMappingStatus & { kind: "status" | "stopped"; leaseEndsAt?: string };

class LabMapper {
  private readonly lines: Line[] = [];
  private waiters: Array<() => void> = [];
  private stderr = "";
  constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on("line", (text) => {
      this.lines.push(JSON.parse(text) as Line);
      for (const wake of this.waiters.splice(0)) wake();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
  }

  static start(lab: Lab, config: RunMapperConfig): LabMapper {
    const args = [
      "netns",
      "exec",
      lab.namespaces.lan,
      process.execPath,
      "--import",
      import.meta.resolve("tsx"),
    ];
    const child = spawn("ip", [...args, RUNNER, JSON.stringify(config)], { stdio: ["pipe", "pipe", "pipe"] });
    return new LabMapper(child);
  }

  /**
   * The first status line from `from` on that satisfies `test`. The bound covers a loaded machine
   * starting node with tsx for the mapper, then the router's SSDP answer and its description.
   */
  async next(test: (line: Line) => boolean, from = 0, timeoutMs = 60_000): Promise<Line> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.slice(from).find(test);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`no matching status; got ${JSON.stringify(this.lines)}\nstderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 250);
      });
    }
  }

  get count(): number {
    return this.lines.length;
  }

  async stop(): Promise<Line> {
    this.child.stdin?.write("stop\n");
    return this.next((l) => l.kind === "stopped");
  }

  kill(): void {
    this.child.kill("SIGKILL");
  }
}

async function natRules(lab: Lab): Promise<string> {
  const chain = lab.homeRouter?.natChain ?? "prerouting_miniupnpd";
  return (await lab.exec("home", "nft", ["list", "chain", "inet", "filter", chain])).stdout;
}

/** A lab whose home router allows UPnP, and a mapper started on it, cleaned up with the test. */
async function startMapping(context: TestContext, config: Omit<RunMapperConfig, "port">) {
  const lab = await createTestLab({ nat: "NAT1", stun: "none", homeRouter: { upnp: "allow" } }, context);
  const mapper = LabMapper.start(lab, { port: PORT, ...config });
  context.onTestFinished(() => mapper.kill());
  return { lab, mapper };
}

/** Waits for the mapper's first MAPPED status, from `gateway` by `protocol`, and for its rule on the router. */
async function expectMapped(lab: Lab, mapper: LabMapper, protocol: string, gateway: string | undefined) {
  const mapped = await mapper.next((l) => l.state === "mapped");
  expect(mapped).toMatchObject({ protocol, gateway, externalIp: lab.homeRouter?.wanIp, externalPort: PORT });
  expect(await natRules(lab)).toContain(`dnat ip to ${lab.lanIp}:${PORT}`);
  return mapped;
}

/** Renewed at half the lease: a later status with a lease that ends later, still mapped, without error. */
async function expectRenewed(mapper: LabMapper, mapped: { leaseEndsAt?: string | null }) {
  const renewed = await mapper.next(
    (l) => l.state === "mapped" && Date.parse(l.leaseEndsAt ?? "") > Date.parse(mapped.leaseEndsAt ?? ""),
    mapper.count,
  );
  expect(renewed.error).toBeUndefined();
}

describe.concurrent("PortMapper against miniupnpd on a home router", () => {
  test("UPnP: found by SSDP, maps P to this host, renews before the lease ends, removes on stop", {
    timeout: 180_000,
  }, async (context) => {
    const { lab, mapper } = await startMapping(context, { leaseSeconds: 4, via: "discover" });
    const mapped = await expectMapped(lab, mapper, "upnp", lab.homeRouter?.descriptionUrl);
    await expectRenewed(mapper, mapped);

    const stopped = await mapper.stop();
    expect(stopped.state).toBe("removed");
    expect(stopped.error).toBeUndefined();
    expect(await natRules(lab)).not.toContain(`:${PORT}`);
  });

  test("NAT-PMP: maps P on the default gateway and removes it on stop", {
    timeout: 180_000,
  }, async (context) => {
    const { lab, mapper } = await startMapping(context, { leaseSeconds: 60, via: "nat-pmp" });
    await expectMapped(lab, mapper, "nat-pmp", lab.homeRouter?.lanIp);

    expect((await mapper.stop()).state).toBe("removed");
    expect(await natRules(lab)).not.toContain(`:${PORT}`);
  });

  test("PCP: maps P on the default gateway, renews with the same nonce, and removes it on stop", {
    timeout: 180_000,
  }, async (context) => {
    const { lab, mapper } = await startMapping(context, { leaseSeconds: 4, via: "pcp" });
    const mapped = await expectMapped(lab, mapper, "pcp", lab.homeRouter?.lanIp);
    await expectRenewed(mapper, mapped);

    expect((await mapper.stop()).state).toBe("removed");
    expect(await natRules(lab)).not.toContain(`:${PORT}`);
  });

  test("a router that denies the port: failed, with the router's reason", {
    timeout: 180_000,
  }, async (context) => {
    const lab = await createTestLab({ nat: "NAT1", stun: "none", homeRouter: { upnp: "deny" } }, context);
    const mapper = LabMapper.start(lab, { port: PORT, leaseSeconds: 60, via: "discover" });
    context.onTestFinished(() => mapper.kill());

    const failed = await mapper.next((l) => l.state === "failed");
    expect(failed.protocol).toBe("upnp");
    expect(failed.error).toMatch(/UPnP error 606 Action not authorized/);
    expect(await natRules(lab)).not.toContain(`:${PORT}`);
    expect((await mapper.stop()).state).toBe("removed");
  });
});
