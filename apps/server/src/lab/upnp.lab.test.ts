import { readFile, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { Lab } from "@autostun/netlab";
import { createTestLab } from "@autostun/netlab/testing";
import { describe, expect, type TestContext, test } from "vitest";
import { LAB_ECHO, labConfig, startLabServices } from "./testing/lab-services.js";
import { LanDaemon } from "./testing/lan-daemon.js";
import { WanPeer } from "./testing/wan-peer.js";

/**
 * `autostun serve` behind two NATs: the LAN host sits behind a home router running miniupnpd, which sits
 * behind the ISP's NAT1 router. The tunnel punches from P through both; only the home router's UPnP
 * mapping (external P -> this host's P), made by the daemon, lets a WAN peer in.
 */

const LOCAL_PORT = 40_777;
const BIN = fileURLToPath(new URL("../../bin/autostun.mjs", import.meta.url));

type Upnp = {
  state: string;
  protocol: string | null;
  gateway: string | null;
  externalIp: string | null;
  externalIpKind: string | null;
  secondNat: boolean | null;
  externalPort: number | null;
  leaseEndsAt: string | null;
  error: string | null;
};
type Tunnel = {
  id: string;
  state: string;
  publicAddress: { ip: string; port: number } | null;
  upnp: Upnp | null;
};
const TUNNELS = `{ tunnels { id state publicAddress { ip port } upnp { state protocol gateway externalIp externalIpKind secondNat externalPort leaseEndsAt error } } }`;

/**
 * The daemon serving one UPnP tunnel in the LAN, stopped when the test ends; resolves once the tunnel
 * is OPEN and its mapping reached `upnp` (MAPPED, FAILED…).
 */
async function serveBehindHomeRouter(lab: Lab, context: TestContext, upnp: string) {
  const keepalive = await startLabServices(lab);
  const config = await lab.writeConfig(
    labConfig(keepalive, {
      upnp: { enabled: true, leaseSeconds: 600 },
      tunnels: [{ id: "lab", localPort: LOCAL_PORT, target: LAB_ECHO }],
    }),
  );
  const daemon = LanDaemon.start(lab, config);
  context.onTestFinished(() => void daemon.stop());
  const url = await daemon.ready();
  const seen = await daemon.until<{ tunnels: Tunnel[] }>(
    url,
    TUNNELS,
    (d) => d.tunnels[0]?.state === "OPEN" && d.tunnels[0]?.upnp?.state === upnp,
  );
  return { daemon, url, tunnel: seen.tunnels[0] as Tunnel };
}

/** The DNAT rules miniupnpd holds now (its nftables chain on the home router). */
async function homeRouterRules(lab: Lab): Promise<string> {
  const chain = lab.homeRouter?.natChain ?? "prerouting_miniupnpd";
  return (await lab.exec("home", "nft", ["list", "chain", "inet", "filter", chain])).stdout;
}

/** Sends miniupnpd a request of our own, from the LAN host, and waits until its log shows it. */
let barriers = 0;
async function logBarrier(lab: Lab): Promise<string> {
  const router = lab.homeRouter;
  if (!router) throw new Error("this lab has no home router");
  const marker = `autostun-barrier-${++barriers}`;
  const script = `fetch(${JSON.stringify(`${router.descriptionUrl}?${marker}`)}).then((r) => r.text())`;
  await lab.exec("lan", process.execPath, ["-e", script]);
  for (let i = 0; i < 300 && !router.log().includes(marker); i++) await sleep(100);
  if (!router.log().includes(marker)) throw new Error(`miniupnpd never logged ${marker}:\n${router.log()}`);
  return marker;
}

/**
 * What miniupnpd was asked while `action` ran: its SOAP actions (each with its own log line in the
 * foreground) and SSDP searches. A request of ours before and after brackets them, so a request still
 * on its way to the log when `action` ends is counted too.
 */
async function routerRequestsDuring(lab: Lab, action: () => Promise<unknown>): Promise<string[]> {
  const start = await logBarrier(lab);
  await action();
  const end = await logBarrier(lab);
  const log = lab.homeRouter?.log() ?? "";
  const between = log.slice(log.indexOf(start), log.indexOf(end)).split("\n");
  return between
    .filter((line) => /SOAPAction:|SSDP M-SEARCH|NAT-PMP|PCP/.test(line))
    .map((line) => line.replace(/^miniupnpd\[\d+\]: /, ""));
}

type Check = {
  id: string;
  status: string;
  summary: string;
  facts: Record<string, unknown>;
  guidance: { steps: string[] } | null;
};
const RUN_CHECK = `mutation { runChecks(ids: ["upnp.gateway"]) { id status summary facts guidance { steps } } }`;

async function upnpCheck(daemon: LanDaemon, url: string): Promise<Check> {
  const answer = await daemon.gql<{ runChecks: Check[] }>(url, RUN_CHECK);
  const check = answer.data?.runChecks[0];
  if (!check) throw new Error(`runChecks answered ${JSON.stringify(answer)}\n${daemon.stderr}`);
  return check;
}

/**
 * Whether a new WAN peer's line comes back. A refused peer's socat gives up by itself (connect timeout),
 * so the wait for an echo can be generous for a loaded machine without slowing the refused case.
 */
async function reaches(lab: Lab, at: { ip: string; port: number }, line: string): Promise<boolean> {
  const peer = WanPeer.open(lab, await lab.addWanAddress(), at);
  peer.send(line);
  const ok = await peer.echoed(line);
  await peer.end();
  return ok;
}

describe.concurrent("autostun serve behind a home router (miniupnpd) and the ISP's NAT1", () => {
  test("the tunnel opens through both NATs, maps P on the home router, and the mapping goes when the tunnel and the daemon stop", {
    timeout: 180_000,
  }, async (context) => {
    const lab = await createTestLab({ nat: "NAT1", stun: "ours", homeRouter: { upnp: "allow" } }, context);
    const { daemon, url, tunnel } = await serveBehindHomeRouter(lab, context, "MAPPED");
    // STUN over TCP from P went through the home router's NAT and the ISP's: the ISP router's address.
    expect(tunnel.publicAddress).toEqual({ ip: lab.publicIp, port: LOCAL_PORT });
    expect(tunnel.upnp).toMatchObject({
      protocol: "UPNP",
      gateway: lab.homeRouter?.descriptionUrl,
      externalIp: lab.homeRouter?.wanIp,
      // The lab gives the home router an ordinary-looking WAN address, so no second NAT is flagged.
      externalIpKind: "PUBLIC",
      secondNat: false,
      externalPort: LOCAL_PORT,
      error: null,
    });
    expect(Date.parse(tunnel.upnp?.leaseEndsAt ?? "")).toBeGreaterThan(Date.now());
    expect(await homeRouterRules(lab)).toContain(`dnat ip to ${lab.lanIp}:${LOCAL_PORT}`);

    const at = tunnel.publicAddress as { ip: string; port: number };
    expect(await reaches(lab, at, "through two NATs")).toBe(true);

    // While the tunnel's mapping is held, the check PASSes from it: miniupnpd is asked for nothing.
    let check: Check | undefined;
    const during = await routerRequestsDuring(lab, async () => {
      check = await upnpCheck(daemon, url);
    });
    console.log(`miniupnpd requests during a diagnosis with the tunnel MAPPED: ${JSON.stringify(during)}`);
    expect(check?.status).toBe("PASS");
    expect(check?.facts).toMatchObject({
      protocol: "upnp",
      gateway: lab.homeRouter?.descriptionUrl,
      externalIp: lab.homeRouter?.wanIp,
      internalClient: lab.lanIp,
      secondNat: false,
      testMapping: null,
      liveMapping: { tunnelId: "lab", port: LOCAL_PORT, externalPort: LOCAL_PORT },
    });
    expect(check?.summary).toMatch(/holds tunnel lab's mapping of port 40777.*no test mapping was made/);
    expect(during).toEqual([]);
    const rules = await homeRouterRules(lab);
    expect(rules.match(/dnat ip to/g)).toHaveLength(1);

    // Stopping the tunnel removes the mapping; the home router then lets nobody in.
    await daemon.gql(url, `mutation { stopTunnel(id: "lab") { state } }`);
    const stopped = await daemon.until<{ tunnels: Tunnel[] }>(
      url,
      TUNNELS,
      (d) => d.tunnels[0]?.upnp?.state === "REMOVED",
    );
    expect(stopped.tunnels[0]?.upnp?.error).toBeNull();
    expect(await homeRouterRules(lab)).not.toContain(`:${LOCAL_PORT}`);

    // With no mapping held, the check makes its test mapping and removes it (the tunnels' router
    // search is recent, so it is not sent again), as miniupnpd's log shows.
    let tested: Check | undefined;
    const probing = await routerRequestsDuring(lab, async () => {
      tested = await upnpCheck(daemon, url);
    });
    console.log(`miniupnpd requests during a diagnosis with no mapping held: ${JSON.stringify(probing)}`);
    expect(tested?.status).toBe("PASS");
    expect(tested?.facts).toMatchObject({ liveMapping: null, testMapping: { mapped: true, removed: true } });
    expect(probing.filter((line) => /#AddPortMapping/.test(line))).toHaveLength(1);
    expect(probing.filter((line) => /#DeletePortMapping/.test(line))).toHaveLength(1);
    expect(probing.filter((line) => /M-SEARCH/.test(line))).toEqual([]);
    expect(await homeRouterRules(lab)).not.toContain("dnat");

    // Started again, it maps again; SIGTERM then removes the mapping before the daemon exits.
    await daemon.gql(url, `mutation { startTunnel(id: "lab") { state } }`);
    await daemon.until<{ tunnels: Tunnel[] }>(url, TUNNELS, (d) => d.tunnels[0]?.upnp?.state === "MAPPED");
    expect(await homeRouterRules(lab)).toContain(`dnat ip to ${lab.lanIp}:${LOCAL_PORT}`);
    expect(await daemon.stop()).toBe(0);
    expect(await homeRouterRules(lab)).not.toContain(`:${LOCAL_PORT}`);
  });

  test("behind a remapping NAT1 at the ISP: the public port differs from P, the home router still maps P, and peers get in", {
    timeout: 180_000,
  }, async (context) => {
    const lab = await createTestLab(
      { nat: "NAT1", portPreserving: false, stun: "ours", homeRouter: { upnp: "allow" } },
      context,
    );
    const { daemon, tunnel } = await serveBehindHomeRouter(lab, context, "MAPPED");
    expect(tunnel.publicAddress?.ip).toBe(lab.publicIp);
    expect(tunnel.publicAddress?.port).not.toBe(LOCAL_PORT);
    expect(tunnel.upnp).toMatchObject({ externalIp: lab.homeRouter?.wanIp, externalPort: LOCAL_PORT });
    expect(await reaches(lab, tunnel.publicAddress as { ip: string; port: number }, "remapped twice")).toBe(
      true,
    );
    expect(await daemon.stop()).toBe(0);
    expect(await homeRouterRules(lab)).not.toContain(`:${LOCAL_PORT}`);
  });

  test("a home router that denies the port: the tunnel stays OPEN, its upnp says FAILED with the router's reason, and peers do not get in", {
    timeout: 180_000,
  }, async (context) => {
    const lab = await createTestLab({ nat: "NAT1", stun: "ours", homeRouter: { upnp: "deny" } }, context);
    const { daemon, url, tunnel } = await serveBehindHomeRouter(lab, context, "FAILED");
    expect(tunnel.upnp?.error).toMatch(/606 Action not authorized/);
    expect(await reaches(lab, tunnel.publicAddress as { ip: string; port: number }, "knock")).toBe(false);

    const check = await upnpCheck(daemon, url);
    expect(check.status).toBe("FAIL");
    expect(check.summary).toMatch(/refused to map a test port .*606 Action not authorized/);
    expect(check.guidance?.steps.join("\n")).toMatch(/DMZ host/);
    expect(check.facts).toMatchObject({ found: true, testMapping: { mapped: false, code: 606 } });
    expect(await daemon.stop()).toBe(0);
  });
});

describe("a config reload applies upnp to the running daemon", () => {
  test("turning upnp on maps the open tunnel's port, a new lease maps it again, turning it off removes the mapping", {
    timeout: 240_000,
  }, async (context) => {
    const lab = await createTestLab({ nat: "NAT1", stun: "ours", homeRouter: { upnp: "allow" } }, context);
    const keepalive = await startLabServices(lab);
    const settings = (upnp: Record<string, unknown>) =>
      labConfig(keepalive, { upnp, tunnels: [{ id: "lab", localPort: LOCAL_PORT, target: LAB_ECHO }] });
    const file = await lab.writeConfig(settings({ enabled: false }));
    const daemon = LanDaemon.start(lab, file);
    context.onTestFinished(() => void daemon.stop());
    const url = await daemon.ready();
    const opened = await daemon.until<{ tunnels: Tunnel[] }>(
      url,
      TUNNELS,
      (d) => d.tunnels[0]?.state === "OPEN",
    );
    expect(opened.tunnels[0]?.upnp).toBeNull();
    expect(await homeRouterRules(lab)).not.toContain(`:${LOCAL_PORT}`);
    const at = opened.tunnels[0]?.publicAddress as { ip: string; port: number };
    expect(await reaches(lab, at, "before the reload")).toBe(false);

    const reload = async (upnp: Record<string, unknown>) => {
      // The file as the lab wrote it (its STUN servers, data directory), with only `upnp` changed.
      const text = (await readFile(file, "utf8")).replace(/^#.*$/gm, "");
      const written = JSON.parse(text) as Record<string, unknown>;
      await writeFile(file, JSON.stringify({ ...written, upnp }));
      const answer = await daemon.gql<{
        reloadConfig: { status: string; applied: string[]; needsRestart: string[] };
      }>(url, "mutation { reloadConfig { status applied needsRestart } }");
      expect(answer.data?.reloadConfig).toEqual({ status: "APPLIED", applied: ["upnp"], needsRestart: [] });
    };

    // On: the tunnel that is already open gets its mapping, and peers get in through the home router.
    await reload({ enabled: true, leaseSeconds: 600 });
    const mapped = await daemon.until<{ tunnels: Tunnel[] }>(
      url,
      TUNNELS,
      (d) => d.tunnels[0]?.upnp?.state === "MAPPED",
    );
    expect(mapped.tunnels[0]).toMatchObject({
      state: "OPEN",
      upnp: { externalPort: LOCAL_PORT, error: null },
    });
    expect(await homeRouterRules(lab)).toContain(`dnat ip to ${lab.lanIp}:${LOCAL_PORT}`);
    expect(await reaches(lab, at, "after turning upnp on")).toBe(true);

    // Another lease: mapped again under it (miniupnpd grants what is asked), still one rule for P.
    const firstEnd = Date.parse(mapped.tunnels[0]?.upnp?.leaseEndsAt ?? "");
    await reload({ enabled: true, leaseSeconds: 7200 });
    const remapped = await daemon.until<{ tunnels: Tunnel[] }>(
      url,
      TUNNELS,
      (d) =>
        d.tunnels[0]?.upnp?.state === "MAPPED" &&
        Date.parse(d.tunnels[0]?.upnp?.leaseEndsAt ?? "") > firstEnd + 3_000_000,
    );
    expect(remapped.tunnels[0]?.upnp?.error).toBeNull();
    expect((await homeRouterRules(lab)).match(new RegExp(`:${LOCAL_PORT}\\b`, "g"))).toHaveLength(1);

    // Off: the mapping goes, the tunnel stays open, and the home router lets nobody in again.
    await reload({ enabled: false });
    await daemon.until<{ tunnels: Tunnel[] }>(url, TUNNELS, (d) => d.tunnels[0]?.upnp === null);
    expect(await homeRouterRules(lab)).not.toContain(`:${LOCAL_PORT}`);
    const after = await daemon.gql<{ tunnels: Tunnel[] }>(url, TUNNELS);
    expect(after.data?.tunnels[0]?.state).toBe("OPEN");
    expect(await reaches(lab, at, "after turning upnp off")).toBe(false);
    expect(await daemon.stop()).toBe(0);
  });
});

describe("upnp.gateway when this host's firewall will not let the search out", () => {
  test("doctor says the search could not be made, with the error and the address it was sent from, not that no router answered", {
    timeout: 120_000,
  }, async (context) => {
    const lab = await createTestLab({ nat: "NAT1", stun: "ours" }, context);
    // A local firewall rule dropping outgoing SSDP: the kernel answers the send with EPERM.
    const rules = [
      "add table inet s16block",
      "add chain inet s16block out { type filter hook output priority 0; }",
      "add rule inet s16block out ip daddr 239.255.255.250 udp dport 1900 drop",
    ];
    for (const rule of rules) await lab.exec("lan", "nft", rule.split(" "));
    const config = await lab.writeConfig({ upnp: { enabled: "auto" }, plugins: { dirs: [] } });
    const run = await lab.exec(
      "lan",
      process.execPath,
      [BIN, "doctor", "--json", "--check", "upnp.gateway", "--config", config],
      { timeoutMs: 60_000 },
    );
    const report = JSON.parse(run.stdout) as { checks: Check[] };
    const check = report.checks[0];
    expect(check?.status).toBe("WARN");
    expect(check?.summary).toMatch(/could not send its search for a home router/);
    expect(check?.summary).toContain("EPERM");
    expect(check?.summary).toContain(lab.lanIp);
    expect(check?.facts.searchError).toMatch(
      new RegExp(`could not be made from ${lab.lanIp.replaceAll(".", "\\.")}:\\d+ \\([^)]+\\): send EPERM`),
    );
    expect(check?.guidance?.steps.join("\n")).toMatch(/firewall on this host/);
  });
});
