import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server, connect as tcpConnect } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DownloaderNamespace, writeQbittorrentProfile } from "@autostun/downloaders/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusal, SAVE_TUNNEL } from "../graphql/testing/save-tunnel.js";
import { gql, gqlUntil } from "../relay/testing/graphql-client.js";
import { type LoopbackServices, startLoopbackServices } from "../relay/testing/loopback-services.js";
import { startTestDaemon } from "../testing/daemon.js";

/**
 * `downloader.loopback` in a real daemon against a real qbittorrent-nox (Debian) with authentication on,
 * in a namespace of its own: from this host's point of view that is another machine. A small TCP relay
 * on 127.0.0.1 makes the same client reachable over loopback, which is how the PASS case is reached
 * without running a downloader in the host's own network.
 */

const WEBUI_PORT = 8080;
const PASSWORD = "lab-password";

type CheckRow = { id: string; status: string; summary: string; facts: Record<string, unknown> };
const RUN = `mutation { runChecks(ids: ["downloader.loopback"]) { id status summary facts guidance { title steps } } }`;

let lab: DownloaderNamespace;
let profile: string;
let relay: Server;
let relayPort = 0;
let services: LoopbackServices;

beforeAll(async () => {
  services = await startLoopbackServices();
  lab = DownloaderNamespace.create();
  profile = writeQbittorrentProfile({
    webUiPort: WEBUI_PORT,
    password: PASSWORD,
    hostHeaderValidation: false,
  });
  const client = lab.start(["qbittorrent-nox", `--profile=${profile}`]);
  await lab.waitForPort(WEBUI_PORT, "qbittorrent-nox", client);
  relay = createServer((inbound) => {
    const outbound = tcpConnect({ host: lab.ip, port: WEBUI_PORT });
    inbound.pipe(outbound).pipe(inbound);
    inbound.on("error", () => outbound.destroy());
    outbound.on("error", () => inbound.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  relayPort = (relay.address() as { port: number }).port;
}, 60_000);

afterAll(async () => {
  relay?.close();
  lab?.dispose();
  await services?.close();
});

function tunnel(id: string, url: string, password = PASSWORD) {
  return {
    id,
    localPort: 0,
    target: services.echo,
    forward: "userspace",
    downloader: { kind: "qbittorrent", url, username: "admin", password },
  };
}

async function runCheck(tunnels: unknown[]): Promise<{ row: CheckRow; logs: string }> {
  const daemon = await startTestDaemon({
    tunnels,
    stun: { udp: [], tcp: [services.stun] },
    keepalive: { target: services.keepalive, intervalSeconds: 10 },
  });
  try {
    const answer = await gql<{ runChecks: (CheckRow & { guidance: unknown })[] }>(daemon.url, RUN);
    const row = answer.data?.runChecks.find((c) => c.id === "downloader.loopback");
    if (!row) throw new Error(`no downloader.loopback in ${JSON.stringify(answer)}`);
    return { row, logs: daemon.logs.join("") };
  } finally {
    await daemon.stop();
  }
}

describe("downloader.loopback against qbittorrent-nox with its Web UI password on", () => {
  it("passes over loopback with the right password, naming the client's version", async () => {
    const { row } = await runCheck([tunnel("qb", `http://127.0.0.1:${relayPort}`)]);
    expect(row, JSON.stringify(row)).toMatchObject({ status: "PASS" });
    expect(row.facts).toMatchObject({
      kind: "qbittorrent",
      url: `http://127.0.0.1:${relayPort}`,
      version: expect.stringMatching(/^\d+\.\d+/),
      answered: true,
      authOk: true,
      location: "loopback",
    });
  }, 60_000);

  it("warns when the same client is reached on another machine's address", async () => {
    const { row } = await runCheck([tunnel("qb", `http://${lab.ip}:${WEBUI_PORT}`)]);
    expect(row.status).toBe("WARN");
    expect(row.facts).toMatchObject({ answered: true, authOk: true, location: "elsewhere" });
    expect(row.summary).toContain(lab.ip);
    expect(row.summary).toMatch(/lose their real addresses/);
  }, 60_000);

  it("fails for a wrong password and for a port where nothing answers, and never shows a password", async () => {
    const wrong = "not-the-password";
    // A port that was free a moment ago: nothing answers there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const closed = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const { row, logs } = await runCheck([
      tunnel("good", `http://127.0.0.1:${relayPort}`),
      tunnel("wrong", `http://127.0.0.1:${relayPort}`, wrong),
      tunnel("down", `http://127.0.0.1:${closed}`),
    ]);
    expect(row.status).toBe("FAIL");
    const byTunnel = Object.fromEntries(
      (row.facts.downloaders as { tunnelId: string }[]).map((entry) => [entry.tunnelId, entry]),
    );
    expect(byTunnel.good).toMatchObject({ answered: true, authOk: true });
    expect(byTunnel.wrong).toMatchObject({
      answered: true,
      authOk: false,
      error: { kind: "CREDENTIALS_REFUSED" },
    });
    expect(byTunnel.down).toMatchObject({
      answered: false,
      authOk: null,
      error: { kind: "UNREACHABLE", message: expect.stringContaining("ECONNREFUSED") },
    });
    const shown = JSON.stringify(row) + logs;
    expect(shown).not.toContain(wrong);
    expect(shown).not.toContain(PASSWORD);
  }, 60_000);

  it("follows a tunnel saved through the API: a wrong password FAILs, saving the right one PASSes", async () => {
    const { daemon, save } = await daemonSavingQbTunnel();
    const check = async () => {
      const answer = await gql<{ runChecks: CheckRow[] }>(daemon.url, RUN);
      return answer.data?.runChecks.find((c) => c.id === "downloader.loopback");
    };
    try {
      expect(refusal(await save("typo-password"))).toBe("");
      const refused = await check();
      expect(refused).toMatchObject({ status: "FAIL", facts: { authOk: false, tunnelId: "qb" } });
      expect(refused?.summary).toMatch(/refused the user name or password of tunnel qb/);
      expect(refusal(await save(PASSWORD))).toBe("");
      expect(await check()).toMatchObject({ status: "PASS", facts: { authOk: true } });
    } finally {
      await daemon.stop();
    }
  }, 60_000);
});

/** A daemon with the lab's STUN and keep-alive, and a way to save tunnel "qb" to the lab's qBittorrent with a password. */
async function daemonSavingQbTunnel() {
  const daemon = await startTestDaemon({
    stun: { udp: [], tcp: [services.stun] },
    keepalive: { target: services.keepalive, intervalSeconds: 10 },
  });
  const save = (password: string) =>
    gql(daemon.url, SAVE_TUNNEL, {
      input: {
        id: "qb",
        target: services.echo,
        downloader: {
          kind: "qbittorrent",
          url: `http://127.0.0.1:${relayPort}`,
          username: "admin",
          password,
        },
      },
    });
  return { daemon, save };
}

/** qBittorrent's own log of failed Web UI logins (its file log is on by default), per user name. */
function failedLogins(username: string): number {
  const file = join(profile, "qBittorrent", "data", "logs", "qbittorrent.log");
  if (!existsSync(file)) return 0;
  const pattern = new RegExp(`login failure.*username: ${username}\\b`, "gi");
  return (readFileSync(file, "utf8").match(pattern) ?? []).length;
}

/**
 * Makes a failed login of our own under a fresh user name and waits until qBittorrent's log shows it:
 * every failure before it is in the file then too, so counts read afterwards are complete.
 */
let barriers = 0;
async function logBarrier(): Promise<void> {
  const name = `barrier${++barriers}`;
  const body = new URLSearchParams({ username: name, password: "x" });
  await fetch(`http://${lab.ip}:${WEBUI_PORT}/api/v2/auth/login`, { method: "POST", body });
  for (let i = 0; i < 300 && failedLogins(name) === 0; i++) await sleep(100);
  if (failedLogins(name) === 0) throw new Error(`qBittorrent never logged the failed login of ${name}`);
}

describe("downloader.loopback and the push's refused login", () => {
  it("does not log in again with settings the push saw refused, and logs in at once when saveTunnel changes them", async () => {
    const { daemon, save } = await daemonSavingQbTunnel();
    type Pushed = { tunnels: { downloader: { state: string; errorKind: string | null } | null }[] };
    try {
      expect(refusal(await save("typo-password"))).toBe("");
      // The tunnel opens and its push is refused; it does not retry that on its own.
      const pushed = await gqlUntil<Pushed>(
        daemon.url,
        "{ tunnels { downloader { state errorKind } } }",
        (data) => data.tunnels[0]?.downloader?.state === "FAILED",
        60_000,
      );
      expect(pushed.tunnels[0]?.downloader).toEqual({ state: "FAILED", errorKind: "CREDENTIALS_REFUSED" });
      await logBarrier();
      const before = failedLogins("admin");
      expect(before, "the push's refused login is in qBittorrent's log").toBeGreaterThanOrEqual(1);

      const DIAGNOSES = 4;
      for (let i = 0; i < DIAGNOSES; i++) {
        const answer = await gql<{ runChecks: CheckRow[] }>(daemon.url, RUN);
        const row = answer.data?.runChecks.find((c) => c.id === "downloader.loopback");
        expect(row, JSON.stringify(answer)).toMatchObject({
          status: "FAIL",
          facts: { authOk: false, reused: { by: "push" }, error: { kind: "CREDENTIALS_REFUSED" } },
        });
        expect(row?.summary).toMatch(/did not log in again/);
      }
      await logBarrier();
      const after = failedLogins("admin");
      console.log(
        `qBittorrent failed logins as admin: ${before} after the push, ${after} after ${DIAGNOSES} more diagnoses`,
      );
      expect(after).toBe(before);

      // The wizard's "test again" after the password was fixed through saveTunnel: a new login, PASS.
      const saved = await save(PASSWORD);
      expect(refusal(saved)).toBe("");
      const answer = await gql<{ runChecks: CheckRow[] }>(daemon.url, RUN);
      const row = answer.data?.runChecks.find((c) => c.id === "downloader.loopback");
      expect(row, JSON.stringify(answer)).toMatchObject({
        status: "PASS",
        facts: { authOk: true, reused: null },
      });
    } finally {
      await daemon.stop();
    }
  }, 120_000);
});
