import { execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DATABASE_FILE } from "@autostun/store";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusal } from "../graphql/testing/save-tunnel.js";
import { Peer, startLoopbackServices } from "../relay/testing/loopback-services.js";
import {
  type Finished,
  logLines,
  plainLines,
  type Serving,
  serve,
  startCli,
  writeConfig,
} from "./testing/cli-process.js";
import { rawRequest } from "./testing/clients.js";

/*
 * The data folder as another local user and a full or vanished disk meet it: dataDir 0700 and its files
 * 0600 whatever the umask, no lock from outside can stall the daemon, a write that fails is an error to
 * the caller (never a success that was not kept), repeated failures are logged once a minute with a
 * count, a full disk at start-up is one line and exit 2, and a database deleted under the daemon is noticed.
 */

const SPAWNS = { timeout: 180_000 };
const TOKEN = "data-dir-suite-token-0123456789abcdef";
const AUTH = { authorization: `Bearer ${TOKEN}` };
const NOBODY = 65534;
const STACK_FRAME = /^\s+at .+\(?.+:\d+:\d+\)?$/m;
const SECRET = "hunter2-downloader-password-f00d";

if (process.getuid?.() !== 0) {
  throw new Error(
    "data-dir.security.test.ts needs root: it mounts small tmpfs file systems and acts as the user nobody",
  );
}

/** `autostun serve` started from a shell with umask 022, as outside systemd, the API on a token. */
const serveUmask022 = (file: string): Promise<Serving> => serve(file, { umask: 0o022 });

/** `autostun ARGS` that must end by itself: a daemon that starts instead is stopped after a while. */
async function runCliBounded(args: string[], ms = 60_000): Promise<Finished> {
  const started = startCli(args);
  const timer = setTimeout(() => started.child.kill("SIGKILL"), ms);
  try {
    return await started.finished;
  } finally {
    clearTimeout(timer);
  }
}

async function stop(daemon: Serving): Promise<Finished> {
  daemon.child.kill("SIGTERM");
  return daemon.finished;
}

/** Tunnels need a STUN server over TCP to be accepted; nothing answers on port 9, so they keep trying. */
const SILENT_STUN = 'stun: { udp: [], tcp: ["127.0.0.1:9"] }\n';

function configFor(dataDir: string, extra = SILENT_STUN): string {
  return writeConfig(
    `api: { listen: "127.0.0.1:0", token: "${TOKEN}" }\ndataDir: ${JSON.stringify(dataDir)}\n${extra}`,
  ).file;
}

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

async function gql(url: string, query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  const response = await rawRequest(url, {
    method: "POST",
    path: "/graphql",
    headers: AUTH,
    body: JSON.stringify({ query, variables }),
  });
  return JSON.parse(response.body) as Answer;
}

const SAVE = `mutation ($t: TunnelInput!) { saveTunnel(input: $t) { tunnel { id } problems { key message } } }`;
const ban = (cidr: string) => `mutation { ban(cidr: "${cidr}", reason: "suite") { cidr } }`;

function tunnelWithSecret(id: string) {
  return {
    id,
    target: "127.0.0.1:6881",
    downloader: { kind: "qbittorrent", url: "http://127.0.0.1:18080", username: "admin", password: SECRET },
  };
}

const mode = (path: string) => statSync(path).mode & 0o777;

/** What `nobody` gets when it tries to list dataDir, read each file, and open the database with SQLite. */
async function asNobody(dataDir: string): Promise<Record<string, string>> {
  const sqlite = createRequire(import.meta.url).resolve("better-sqlite3");
  const script = `
    const fs = require("fs");
    const [dir, db, secret, sqlite] = process.argv.slice(1);
    const out = {};
    try { out.list = fs.readdirSync(dir).join(","); } catch (e) { out.list = e.code; }
    for (const name of ["", "-wal", "-shm"]) {
      try { out["read" + name] = fs.readFileSync(db + name).includes(secret) ? "secret" : "read"; }
      catch (e) { out["read" + name] = e.code; }
    }
    try {
      const Database = require(sqlite);
      const handle = new Database(db, { readonly: true, fileMustExist: true, timeout: 100 });
      out.sqlite = JSON.stringify(handle.prepare("SELECT config FROM saved_tunnels").all()).includes(secret)
        ? "secret" : "opened";
    } catch (e) { out.sqlite = e.code || e.message; }
    console.log(JSON.stringify(out));`;
  const child = spawn(
    process.execPath,
    ["-e", script, dataDir, join(dataDir, DATABASE_FILE), SECRET, sqlite],
    {
      uid: NOBODY,
      gid: NOBODY,
      cwd: "/",
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  await new Promise((resolve) => child.on("close", resolve));
  return JSON.parse(stdout) as Record<string, string>;
}

/** A folder only root may enter, so a test's dataDir below it is not reachable by path for others. */
function suiteFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), "autostun-datadir-"));
  chmodSync(folder, 0o755);
  return folder;
}

describe("dataDir and its files are private to the daemon's user", SPAWNS, () => {
  it("makes dataDir 0700 and every file 0600 under umask 022; nobody cannot read the saved password", async () => {
    const dataDir = join(suiteFolder(), "data");
    const daemon = await serveUmask022(configFor(dataDir));
    try {
      const saved = await gql(daemon.url, SAVE, { t: tunnelWithSecret("secretive") });
      expect(refusal(saved)).toBe("");
      expect(mode(dataDir)).toBe(0o700);
      const files = readdirSync(dataDir);
      expect(files).toContain(DATABASE_FILE);
      for (const name of files)
        expect({ name, mode: mode(join(dataDir, name)) }).toEqual({ name, mode: 0o600 });
      const seen = await asNobody(dataDir);
      expect(seen).toEqual({
        list: "EACCES",
        read: "EACCES",
        "read-wal": "EACCES",
        "read-shm": "EACCES",
        sqlite: "SQLITE_CANTOPEN",
      });
    } finally {
      await stop(daemon);
    }
  });

  it("tightens a 0755 dataDir and 0644 database left by an older version, and says so", async () => {
    const dataDir = join(suiteFolder(), "data");
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const old = new Database(join(dataDir, DATABASE_FILE));
    old.pragma("journal_mode = WAL");
    old.exec("CREATE TABLE leftover (x)");
    old.close();
    chmodSync(join(dataDir, DATABASE_FILE), 0o644);
    const daemon = await serveUmask022(configFor(dataDir));
    let ended: Finished;
    try {
      expect(mode(dataDir)).toBe(0o700);
      for (const name of readdirSync(dataDir))
        expect({ name, mode: mode(join(dataDir, name)) }).toEqual({ name, mode: 0o600 });
      expect((await asNobody(dataDir)).sqlite).toBe("SQLITE_CANTOPEN");
    } finally {
      ended = await stop(daemon);
    }
    const said = logLines(ended.stderr).map((line) => String(line["msg"]));
    expect(said).toContainEqual(expect.stringMatching(/narrowed .*0700/));
  });

  it("refuses a dataDir that another user owns and everyone may write", async () => {
    const dataDir = join(suiteFolder(), "shared");
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o777);
    execFileSync("chown", [`${NOBODY}:${NOBODY}`, dataDir]);
    const end = await runCliBounded(["serve", "--config", configFor(dataDir)]);
    expect(end.stderr).not.toMatch(STACK_FRAME);
    expect(plainLines(end.stderr)).toEqual([
      expect.stringContaining(
        `autostun: cannot use ${dataDir} as the data folder: it belongs to uid ${NOBODY}`,
      ),
    ]);
    expect(end.code).toBe(2);
  });
});

describe("a lock taken by another process cannot stall the daemon", SPAWNS, () => {
  it("holds the database exclusively: another process cannot lock it, and bans keep answering and are kept", async () => {
    const dataDir = join(suiteFolder(), "data");
    const file = configFor(dataDir);
    const daemon = await serveUmask022(file);
    const intruder = new Database(join(dataDir, DATABASE_FILE), { timeout: 0 });
    try {
      // The same user (root here) as the daemon: file modes do not stop it, the daemon's own lock must.
      expect(() => intruder.exec("BEGIN IMMEDIATE")).toThrow(/database is locked/);
      expect(() => intruder.prepare("SELECT count(*) FROM bans").get()).toThrow(/database is locked/);
      const banned = await gql(daemon.url, ban("198.51.100.7"));
      expect(banned.errors).toBeUndefined();
      const listed = await gql(daemon.url, "{ bans { cidr } }");
      expect(listed.data?.["bans"]).toEqual([{ cidr: "198.51.100.7/32" }]);
    } finally {
      intruder.close();
      await stop(daemon);
    }
    const after = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
    try {
      expect(after.prepare("SELECT cidr FROM bans").all()).toEqual([{ cidr: "198.51.100.7/32" }]);
    } finally {
      after.close();
    }
  });

  it("refuses to start, in one line, while another program holds a write lock on the database", async () => {
    const dataDir = join(suiteFolder(), "data");
    const file = configFor(dataDir);
    await stop(await serveUmask022(file));
    const shell = new Database(join(dataDir, DATABASE_FILE));
    try {
      shell.exec("BEGIN IMMEDIATE");
      const end = await runCliBounded(["serve", "--config", file]);
      expect(end.stderr).not.toMatch(STACK_FRAME);
      expect(plainLines(end.stderr)).toEqual([
        expect.stringMatching(
          new RegExp(`^autostun: the database ${join(dataDir, DATABASE_FILE)} is in use by another program`),
        ),
      ]);
      expect(end.code).toBe(2);
    } finally {
      shell.close();
    }
  });
});

/** Fills the file system under `folder` with one file until the kernel says it is full. */
function fill(folder: string): string {
  const filler = join(folder, "filler");
  const fd = openSync(filler, "w");
  try {
    for (const size of [1 << 20, 1 << 16, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size, 1);
      for (;;) {
        try {
          writeSync(fd, chunk);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "ENOSPC") break;
          throw error;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return filler;
}

describe("a full disk under dataDir", SPAWNS, () => {
  const mounts: string[] = [];
  let services: Awaited<ReturnType<typeof startLoopbackServices>>;
  beforeAll(async () => {
    services = await startLoopbackServices();
  });
  afterAll(async () => {
    await services?.close();
    for (const mount of mounts) execFileSync("umount", [mount]);
  });

  it("answers errors instead of success, keeps forwarding, logs once with a count, and refuses to start with one line", async () => {
    const mount = join(suiteFolder(), "tmpfs");
    mkdirSync(mount);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=3m,mode=0700", "autostun-test-full", mount]);
    mounts.push(mount);
    const dataDir = join(mount, "data");
    const file = configFor(
      dataDir,
      `stun: { udp: [], tcp: ["${services.stun}"] }\nkeepalive: { target: "${services.keepalive}", intervalSeconds: 10 }\n` +
        `tunnels:\n  - id: echo\n    target: "${services.echo}"\n`,
    );
    const daemon = await serveUmask022(file);
    const succeeded: string[] = [];
    let refused = 0;
    let ended: Finished;
    try {
      let port = 0;
      await expect
        .poll(
          async () => {
            const data = await gql(daemon.url, "{ tunnels { id state localPort } }");
            const echo = (data.data?.["tunnels"] as { state: string; localPort: number }[] | undefined)?.[0];
            port = echo?.localPort ?? 0;
            return echo?.state;
          },
          { timeout: 30_000, interval: 250 },
        )
        .toBe("OPEN");
      const filler = fill(mount);
      expect(existsSync(filler)).toBe(true);

      const saved = await gql(daemon.url, SAVE, { t: { id: "after-full", target: services.echo } });
      // A disk that refuses the write is an error, not a problem of the input.
      if (saved.errors) refused++;
      else succeeded.push("tunnel:after-full");
      for (let n = 1; n <= 120; n++) {
        const cidr = `203.0.113.${n}/32`;
        const answer = await gql(daemon.url, ban(cidr));
        if (answer.errors) {
          refused++;
          expect(answer.errors[0]?.message).toMatch(/not saved.*full/i);
        } else succeeded.push(cidr);
      }
      expect(refused).toBeGreaterThan(0);
      const storage = await gql(daemon.url, "{ storage { writable lastFailure { message count } } }");
      expect(storage.data?.["storage"]).toMatchObject({
        writable: true,
        lastFailure: { message: expect.stringMatching(/full/), count: expect.any(Number) },
      });

      // Forwarding does not depend on the connection log being written.
      for (let batch = 0; batch < 10; batch++) {
        const peers = await Promise.all(
          Array.from({ length: 20 }, (_, i) => Peer.connect(port, `127.0.${10 + batch}.${i + 1}`)),
        );
        const echoed = await Promise.all(peers.map((peer, i) => peer.echo(`hello ${batch}.${i}`)));
        expect(echoed.every(Boolean)).toBe(true);
        for (const peer of peers) peer.socket.destroy();
      }
    } finally {
      ended = await stop(daemon);
    }
    const failures = logLines(ended.stderr).filter((line) => /full|SQLITE_FULL/i.test(JSON.stringify(line)));
    // One line per kind of write (bans, tunnels, connections…) per minute, each with a count.
    expect(failures.length).toBeLessThan(12);
    expect(failures.length).toBeGreaterThan(0);

    const full = await runCliBounded(["serve", "--config", file]);
    expect(full.stderr).not.toMatch(STACK_FRAME);
    expect(plainLines(full.stderr)).toEqual([expect.stringContaining(dataDir)]);
    expect(plainLines(full.stderr)[0]).toMatch(/full/);
    expect(full.code).toBe(2);

    // Whatever answered success is there after a restart with room again.
    rmSync(join(mount, "filler"));
    const again = await serveUmask022(file);
    try {
      const bans = (
        ((await gql(again.url, "{ bans { cidr } }")).data?.["bans"] as { cidr: string }[] | undefined) ?? []
      ).map((b) => b.cidr);
      const tunnels = (
        ((await gql(again.url, "{ tunnels { id } }")).data?.["tunnels"] as { id: string }[] | undefined) ?? []
      ).map((t) => `tunnel:${t.id}`);
      for (const kept of succeeded) expect([...bans, ...tunnels]).toContain(kept);
    } finally {
      await stop(again);
    }
  });
});

describe("the database deleted while the daemon runs", SPAWNS, () => {
  it("is noticed and reported, writes are refused rather than lost, and a restart still has the tunnels and bans", async () => {
    const dataDir = join(suiteFolder(), "data");
    const file = configFor(dataDir);
    const daemon = await serveUmask022(file);
    let ended: Finished;
    try {
      expect(refusal(await gql(daemon.url, SAVE, { t: tunnelWithSecret("kept") }))).toBe("");
      expect((await gql(daemon.url, ban("198.51.100.9"))).errors).toBeUndefined();
      for (const name of readdirSync(dataDir))
        if (name.startsWith(DATABASE_FILE)) unlinkSync(join(dataDir, name));

      const late = await gql(daemon.url, ban("198.51.100.10"));
      expect(late.errors?.[0]?.message).toMatch(/deleted|replaced/);
      expect(late.errors?.[0]?.extensions?.["code"]).toBe("NOT_SAVED");
      const storage = await gql(daemon.url, "{ storage { writable problem } }");
      expect(storage.data?.["storage"]).toEqual({
        writable: false,
        problem: expect.stringMatching(/was deleted/),
      });
      await expect
        .poll(
          () =>
            logLines(daemon.output.stderr).some((line) =>
              /database file .*(deleted|replaced)/.test(String(line["msg"])),
            ),
          {
            timeout: 20_000,
          },
        )
        .toBe(true);
    } finally {
      ended = await stop(daemon);
    }
    expect(ended.stderr).not.toMatch(STACK_FRAME);
    const again = await serveUmask022(file);
    try {
      const bans = (await gql(again.url, "{ bans { cidr } }")).data?.["bans"];
      expect(bans).toEqual([{ cidr: "198.51.100.9/32" }]);
      const tunnels = (await gql(again.url, "{ tunnels { id } }")).data?.["tunnels"];
      expect(tunnels).toEqual([{ id: "kept" }]);
    } finally {
      await stop(again);
    }
  });
});
