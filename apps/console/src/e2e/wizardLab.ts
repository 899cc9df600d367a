import { pbkdf2Sync, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Lab } from "@autostun/netlab";
import type { Page } from "playwright-core";
import { tokenOfConfig } from "../../../server/src/testing/daemon-token.js";
import { launchBrowser, type TestBrowser } from "./browser.js";
import { ensureConsoleBuilt } from "./build.js";
import { REPO_ROOT } from "./daemon.js";

// The wizard's browser tests run the daemon AND the browser inside the lab's LAN namespace: the API stays
// on that namespace's loopback, so no traffic of the test touches the machine's own network.

const BIN = join(REPO_ROOT, "apps/server/bin/autostun.mjs");

/** `autostun serve` in the LAN namespace, with the lab's STUN servers and the API on its loopback. */
export interface LanDaemon {
  /** The console's URL, reachable only from inside the namespace. */
  url: string;
  /** The daemon's API token; the test browser starts signed in with it. */
  token: string;
  /** What the daemon printed, for failure messages. */
  output(): string;
}

export async function startDaemonInLan(lab: Lab, extra: Record<string, unknown> = {}): Promise<LanDaemon> {
  const config = await lab.writeConfig({ api: { listen: "127.0.0.1:7878" }, ...extra });
  const child = lab.spawn("lan", process.execPath, [BIN, "serve", "--config", config]);
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`autostun serve did not come up:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-40_000);
      const found = /AutoSTUN console: (\S+)/.exec(output)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`autostun serve exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
  return { url, token: tokenOfConfig(config), output: () => output };
}

/** The daemon and chromium in the lab's LAN, with the console built and the page ready to open. */
export interface WizardSession {
  daemon: LanDaemon;
  browser: TestBrowser;
  page: Page;
}

/**
 * What every wizard browser test starts with: the console built, `autostun serve` in the LAN namespace
 * (with `extra` config), and chromium beside it, so the page reaches the daemon's loopback API.
 */
export async function startWizardSession(
  lab: Lab,
  extra: Record<string, unknown> = {},
): Promise<WizardSession> {
  ensureConsoleBuilt();
  const daemon = await startDaemonInLan(lab, extra);
  const browser = await launchBrowser({ namespace: lab.namespaces.lan, token: daemon.token });
  return { daemon, browser, page: browser.page };
}

/**
 * An HTTP server in the WAN namespace for the tunnels' keep-alive (the default target is on the public
 * internet, which lab tests never touch). Returns "ip:port".
 */
export async function startKeepaliveInWan(lab: Lab, port = 8_099): Promise<string> {
  const ip = lab.wanServerIps.primary;
  const script = `require("node:http").createServer((q, r) => r.end("ok")).listen(${port}, "${ip}")`;
  lab.spawn("wan", process.execPath, ["-e", script]).stdout?.resume();
  await lab.waitForListening("wan", { tcp: [`${ip}:${port}`] });
  return `${ip}:${port}`;
}

/**
 * qbittorrent-nox in the LAN namespace on its default Web UI port (8080, where discovery looks), with a
 * login required even from loopback and peers on `peerPort`; `seed` is a torrent it adds at start (with
 * its data in `seed.savePath`). The profile folder goes with the process.
 */
export async function startQbittorrentInLan(
  lab: Lab,
  password: string,
  peerPort = 6_881,
  seed?: { file: string; savePath: string },
): Promise<{ username: string; password: string; stop(): Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), "autostun-wizard-qbt-"));
  const configDir = join(profile, "qBittorrent", "config");
  await mkdir(configDir, { recursive: true });
  // qBittorrent stores PBKDF2-HMAC-SHA512, 100 000 rounds, 64 bytes, as @ByteArray(salt:key) in base64.
  const salt = randomBytes(16);
  const key = pbkdf2Sync(password, salt, 100_000, 64, "sha512");
  const conf = [
    "[LegalNotice]",
    "Accepted=true",
    "[BitTorrent]",
    `Session\\Port=${peerPort}`,
    "Session\\DHTEnabled=false",
    "Session\\LSDEnabled=false",
    "Session\\PeXEnabled=false",
    "[Preferences]",
    "Connection\\UPnP=false",
    "WebUI\\Address=127.0.0.1",
    "WebUI\\Port=8080",
    "WebUI\\Username=admin",
    `WebUI\\Password_PBKDF2="@ByteArray(${salt.toString("base64")}:${key.toString("base64")})"`,
    "WebUI\\LocalHostAuth=true",
    "",
  ].join("\n");
  await writeFile(join(configDir, "qBittorrent.conf"), conf, "utf8");
  const adds = seed
    ? [`--save-path=${seed.savePath}`, "--add-paused=false", "--skip-dialog=true", seed.file]
    : [];
  const child = lab.spawn("lan", "qbittorrent-nox", [`--profile=${profile}`, ...adds]);
  child.stdout?.resume();
  child.stderr?.resume();
  await lab.waitForListening("lan", { tcp: ["127.0.0.1:8080"] }, 30_000);
  return {
    username: "admin",
    password,
    async stop() {
      // qBittorrent writes its state while it shuts down: the folder can only go once it has exited.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(killer);
      }
      await rm(profile, { recursive: true, force: true });
    },
  };
}
