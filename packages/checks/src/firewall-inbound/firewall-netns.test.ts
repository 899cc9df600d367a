import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { localize } from "@autostun/plugins-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { realServices } from "../testing/fixtures.js";
import { loadBuiltin, memoryLogger, runLoadedCheck } from "../testing/run-check.js";

const ID = "firewall.inbound";
const tag = `${process.pid.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const HOST_NS = `autostun-fw-host-${tag}`;
const PEER_NS = `autostun-fw-peer-${tag}`;
const HOST_IP = "10.213.7.1";
const OPEN_PORT = 40001;
const CLOSED_PORT = 40002;

const RULESET = `table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    iif "lo" accept
    ct state established,related accept
    tcp dport ${OPEN_PORT} accept
  }
}`;

const sh = (args: string[], input?: string) =>
  execFileSync(args[0] ?? "", args.slice(1), { input, stdio: ["pipe", "pipe", "pipe"] });

/** Connects from the peer namespace and sends a line; the host side echoes it back when admitted. */
function connectFromPeer(port: number): string {
  const result = spawnSync(
    "ip",
    ["netns", "exec", PEER_NS, "socat", "-t", "1", "-", `TCP:${HOST_IP}:${port},connect-timeout=2`],
    { input: "ping\n", encoding: "utf8", timeout: 10_000 },
  );
  return result.status === 0 ? result.stdout.trim() : `refused (exit ${result.status})`;
}

describe("firewall.inbound against a real nftables ruleset in a network namespace", () => {
  let listener: ChildProcess | undefined;

  beforeAll(() => {
    sh(["ip", "netns", "add", HOST_NS]);
    sh(["ip", "netns", "add", PEER_NS]);
    sh([
      "ip",
      "link",
      "add",
      `fwh${tag}`.slice(0, 15),
      "netns",
      HOST_NS,
      "type",
      "veth",
      "peer",
      "name",
      `fwp${tag}`.slice(0, 15),
      "netns",
      PEER_NS,
    ]);
    sh(["ip", "-n", HOST_NS, "addr", "add", `${HOST_IP}/30`, "dev", `fwh${tag}`.slice(0, 15)]);
    sh(["ip", "-n", PEER_NS, "addr", "add", "10.213.7.2/30", "dev", `fwp${tag}`.slice(0, 15)]);
    for (const [ns, dev] of [
      [HOST_NS, `fwh${tag}`.slice(0, 15)],
      [PEER_NS, `fwp${tag}`.slice(0, 15)],
    ] as const) {
      sh(["ip", "-n", ns, "link", "set", dev, "up"]);
      sh(["ip", "-n", ns, "link", "set", "lo", "up"]);
    }
    sh(["ip", "netns", "exec", HOST_NS, "nft", "-f", "-"], RULESET);
    // One echo server answering on both ports, so only the firewall decides what a peer gets.
    listener = spawn(
      "ip",
      [
        "netns",
        "exec",
        HOST_NS,
        "sh",
        "-c",
        `socat TCP-LISTEN:${OPEN_PORT},reuseaddr,fork EXEC:cat & socat TCP-LISTEN:${CLOSED_PORT},reuseaddr,fork EXEC:cat & wait`,
      ],
      { stdio: "ignore", detached: true },
    );
    // Both listeners, by time (a loaded machine starts socat late); a peer must never meet a missing one.
    const listening = () => sh(["ip", "netns", "exec", HOST_NS, "ss", "-Hltn"]).toString();
    const deadline = Date.now() + 30_000;
    while (![OPEN_PORT, CLOSED_PORT].every((port) => listening().includes(`:${port}`))) {
      if (Date.now() > deadline)
        throw new Error(
          `socat never listened on ${OPEN_PORT} and ${CLOSED_PORT} in ${HOST_NS}: ${listening()}`,
        );
      spawnSync("sleep", ["0.1"]);
    }
  });

  afterAll(() => {
    if (listener?.pid) {
      try {
        process.kill(-listener.pid, "SIGTERM");
      } catch {}
    }
    for (const ns of [HOST_NS, PEER_NS]) spawnSync("ip", ["netns", "del", ns]);
  });

  async function check(port: number) {
    const services = realServices({ netns: HOST_NS, ports: [port] });
    const loaded = await loadBuiltin("firewall-inbound", services);
    return { loaded, services, result: await runLoadedCheck(loaded, ID, services) };
  }

  it("passes for the admitted port and fails, with the narrow nft rule, for another", async () => {
    const open = await check(OPEN_PORT);
    expect(open.result.status).toBe("PASS");
    expect(open.result.facts).toMatchObject({
      manager: "nftables",
      ports: [
        {
          port: OPEN_PORT,
          accepted: true,
          decisions: [{ layer: "nftables inet filter input", verdict: "accept" }],
        },
      ],
    });
    expect(connectFromPeer(OPEN_PORT)).toBe("ping");

    const closed = await check(CLOSED_PORT);
    expect(closed.result.status).toBe("FAIL");
    expect(localize(closed.result.summary)).toContain("policy drop");
    const steps = (closed.result.guidance?.steps ?? []).map((s) => localize(s)).join("\n");
    expect(steps).toContain(
      `nft insert rule inet filter input tcp dport ${CLOSED_PORT} accept comment "autostun"`,
    );
    expect(steps).toMatch(/Do not disable the firewall/);
    expect((closed.result.guidance?.steps ?? []).map((s) => localize(s, "zh-CN")).join("\n")).toContain(
      "不要关闭防火墙",
    );
    expect(closed.result.remedies?.map((r) => r.id)).toEqual([`allow-port:${CLOSED_PORT}`]);
    expect(connectFromPeer(CLOSED_PORT)).toMatch(/^refused/);
  });

  it("applies the remedy: the check passes, a peer connects, and the rule can be removed again", async () => {
    const { loaded, services } = await check(CLOSED_PORT);
    const impl = loaded.checks.get(ID);
    const remedyContext = {
      signal: new AbortController().signal,
      logger: memoryLogger(),
      services: { get: <T>(t: symbol) => services.get(t) as T },
    };
    const applied = await impl?.applyRemedy?.(`allow-port:${CLOSED_PORT}`, remedyContext);
    expect(applied?.ok).toBe(true);

    const after = await runLoadedCheck(loaded, ID, services);
    expect(after.status).toBe("PASS");
    expect(after.facts?.appliedRules).toEqual([
      expect.stringMatching(/^nftables inet filter input handle \d+$/),
    ]);
    expect(after.remedies?.map((r) => r.id)).toEqual(["remove-rules"]);
    expect(connectFromPeer(CLOSED_PORT)).toBe("ping");

    const removed = await impl?.applyRemedy?.("remove-rules", remedyContext);
    expect(removed?.ok).toBe(true);
    const again = await runLoadedCheck(loaded, ID, services);
    expect(again.status).toBe("FAIL");
    expect(again.facts?.appliedRules).toEqual([]);
    expect(connectFromPeer(CLOSED_PORT)).toMatch(/^refused/);
  });

  it("refuses the remedy without administrator rights and says what to run", async () => {
    const { loaded, services } = await check(CLOSED_PORT);
    services.set(Symbol.for("autostun.HostInfo"), { platform: "linux", isPrivileged: false });
    const remedyContext = {
      signal: new AbortController().signal,
      logger: memoryLogger(),
      services: { get: <T>(t: symbol) => services.get(t) as T },
    };
    const outcome = await loaded.checks.get(ID)?.applyRemedy?.(`allow-port:${CLOSED_PORT}`, remedyContext);
    expect(outcome?.ok).toBe(false);
    expect(localize(outcome?.message ?? "")).toContain("administrator rights");
    expect(localize(outcome?.message ?? "")).toContain(`tcp dport ${CLOSED_PORT} accept`);
    expect(connectFromPeer(CLOSED_PORT)).toMatch(/^refused/);
  });
});
