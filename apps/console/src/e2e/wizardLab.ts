import { pbkdf2Sync, randomBytes } from "node:crypto";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Lab } from "@autostun/netlab";
import { chromium } from "playwright-core";
import type { TestBrowser } from "./browser.js";
import { REPO_ROOT } from "./daemon.js";

// The wizard's browser tests run the daemon AND the browser inside the lab's LAN namespace: the API stays
// on that namespace's loopback, so no traffic of the test touches the machine's own network.

const CHROMIUM = "/usr/bin/chromium";
const BIN = join(REPO_ROOT, "apps/server/bin/autostun.mjs");

/** `autostun serve` in the LAN namespace, with the lab's STUN servers and the API on its loopback. */
export interface LanDaemon {
  /** The console's URL, reachable only from inside the namespace. */
  url: string;
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
  return { url, output: () => output };
}

/**
 * Debian's chromium started inside a namespace: a two-line wrapper puts it there, and Playwright still
 * drives it over the inherited pipe (no debugging port to reach across namespaces).
 */
export async function launchBrowserInNamespace(
  namespace: string,
  options: {
    locale?: string;
    viewport?: { width: number; height: number };
    colorScheme?: "light" | "dark";
  } = {},
): Promise<TestBrowser> {
  const dir = await mkdtemp(join(tmpdir(), "autostun-wizard-e2e-"));
  const wrapper = join(dir, "chromium-in-namespace");
  await writeFile(wrapper, `#!/bin/sh\nexec ip netns exec ${namespace} ${CHROMIUM} "$@"\n`, "utf8");
  await chmod(wrapper, 0o755);
  const profile = join(dir, "profile");
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: wrapper,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    locale: options.locale ?? "en-US",
    viewport: options.viewport ?? { width: 1100, height: 900 },
    colorScheme: options.colorScheme ?? "light",
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
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
 * login required even from loopback and peers on `peerPort`. The profile folder goes with the process.
 */
export async function startQbittorrentInLan(
  lab: Lab,
  password: string,
  peerPort = 6_881,
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
  const child = lab.spawn("lan", "qbittorrent-nox", [`--profile=${profile}`]);
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
