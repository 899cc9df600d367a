import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Services } from "@autostun/plugins-api";
import { createCommandRunner } from "@autostun/probes";
import { openDatabase } from "@autostun/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusal, SAVE_TUNNEL } from "../graphql/testing/save-tunnel.js";
import { gql, gqlUntil } from "../relay/testing/graphql-client.js";
import { type LoopbackServices, startLoopbackServices } from "../relay/testing/loopback-services.js";
import { startTestDaemon } from "../testing/daemon.js";

/**
 * Issue 19, finding 1 (commands through the API) and finding 3 (`?key=` in URLs). The daemon runs as
 * root and a hook is a program it starts: a caller of the API must not be able to name one, only pick
 * one the admin wrote into the config file. A loopback STUN server makes the tunnels really open, so a
 * hook that was accepted really runs.
 */

const TOKEN = "commands-suite-token-0123456789";
const SAVE = SAVE_TUNNEL;
const TUNNELS = `{ tunnels { id state origin downloader { url state error }
  hooks { ok error command { ok error output } webhook { ok error } } } }`;

type Row = {
  id: string;
  state: string;
  downloader: { url: string; state: string; error: string | null } | null;
  hooks: {
    ok: boolean;
    error: string | null;
    command: { ok: boolean; error: string | null; output: string | null } | null;
  } | null;
};

let services: LoopbackServices;
beforeAll(async () => {
  services = await startLoopbackServices();
});
afterAll(() => services?.close());

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** A daemon with a token, STUN on loopback, and no nftables (so a tunnel to this host is direct). */
async function startDaemon(yaml: Record<string, unknown> = {}) {
  const real = createCommandRunner();
  const daemon = await startTestDaemon(
    {
      api: { listen: "127.0.0.1:0", token: TOKEN, corsOrigins: [] },
      stun: { udp: [], tcp: [services.stun] },
      keepalive: { target: services.keepalive, intervalSeconds: 10 },
      ...yaml,
    },
    (c) => {
      c.register(Services.HostInfo, { useValue: { platform: process.platform, isPrivileged: false } });
      c.register(Services.CommandRunner, {
        useValue: {
          run: (file: string, args: readonly string[], options?: Parameters<typeof real.run>[2]) =>
            file === "nft"
              ? Promise.resolve({ exitCode: 1, stdout: "", stderr: "Operation not permitted" })
              : real.run(file, args, options),
        },
      });
    },
  );
  // Stopped early by tests that read the database (the daemon holds it locked), and again in `finally`.
  let stopping: Promise<void> | undefined;
  const stopOnce = daemon.stop.bind(daemon);
  return Object.assign(daemon, { stop: () => (stopping ??= stopOnce()) });
}

const ask = <T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
) => gql<T>(url, query, variables, TOKEN);

/** Tunnels stored through the API; read after the daemon stopped, since it keeps the database locked. */
async function savedRows(daemon: { stop(): Promise<void>; config: { dataDir: string } }): Promise<number> {
  await daemon.stop();
  const db = openDatabase(daemon.config.dataDir);
  try {
    return (db.prepare("SELECT count(*) AS n FROM saved_tunnels").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));

/** The finding's payload: proof of root in F, and the start of /etc/shadow on stderr (shown as output). */
function rootProbe(file: string): string[] {
  return ["/bin/sh", "-c", `id > ${file}; head -c60 /etc/shadow >&2; exit 3`];
}

describe("commands through the API", () => {
  it("refuses hooks.command: nothing runs, nothing is stored, the error names the field", async () => {
    const proof = join(tmp("autostun-cmd-"), "F");
    const daemon = await startDaemon();
    try {
      const answer = await ask(daemon.url, SAVE, {
        input: { id: "evil", target: services.echo, hooks: { command: rootProbe(proof) } },
      });
      expect(refusal(answer)).toMatch(/hooks\.command/);
      expect(refusal(answer)).toMatch(/config file/);
      await settle();
      const tunnels = await ask<{ tunnels: Row[] }>(daemon.url, TUNNELS);
      expect(tunnels.data?.tunnels).toEqual([]);
      expect(JSON.stringify(tunnels)).not.toMatch(/root:/);
      expect(existsSync(proof)).toBe(false);
      expect(await savedRows(daemon)).toBe(0);
    } finally {
      await daemon.stop();
    }
  });

  it("refuses downloader.restartHook.command the same way", async () => {
    const proof = join(tmp("autostun-cmd-"), "F");
    const daemon = await startDaemon();
    try {
      const answer = await ask(daemon.url, SAVE, {
        input: {
          id: "evil2",
          target: "127.0.0.1:6881",
          downloader: {
            kind: "aria2",
            url: "http://127.0.0.1:1/jsonrpc",
            restartHook: { command: rootProbe(proof) },
          },
        },
      });
      expect(refusal(answer)).toMatch(/downloader\.restartHook\.command/);
      await settle();
      expect(existsSync(proof)).toBe(false);
      expect(await savedRows(daemon)).toBe(0);
    } finally {
      await daemon.stop();
    }
  });

  it("accepts a command the config file names, runs it on open, and refuses a name the file lacks", async () => {
    const out = join(tmp("autostun-cmd-"), "named.txt");
    const daemon = await startDaemon({
      commands: {
        "note-port": [
          process.execPath,
          "-e",
          `require("node:fs").writeFileSync(${JSON.stringify(out)}, process.env.AUTOSTUN_PUBLIC_PORT ?? "none")`,
        ],
      },
    });
    try {
      const unknown = await ask(daemon.url, SAVE, {
        input: { id: "x", target: services.echo, hooks: { commandName: "rm-rf" } },
      });
      expect(refusal(unknown)).toMatch(/hooks\.commandName/);
      expect(refusal(unknown)).toMatch(/rm-rf/);

      const saved = await ask(daemon.url, SAVE, {
        input: { id: "named", target: services.echo, hooks: { commandName: "note-port" } },
      });
      expect(refusal(saved)).toBe("");
      const data = await gqlUntil<{ tunnels: Row[] }>(
        daemon.url,
        TUNNELS,
        (d) => d.tunnels[0]?.hooks != null,
        30_000,
        {},
        TOKEN,
      );
      expect(data.tunnels[0]?.hooks).toMatchObject({ ok: true, command: { ok: true } });
      expect(readFileSync(out, "utf8")).toMatch(/^\d+$/);
    } finally {
      await daemon.stop();
    }
  });
});

describe("webhook secret headers through the API", () => {
  it.each(["Cookie", "Authorization", "Host", "Connection", "proxy-authorization", "Transfer-Encoding"])(
    "refuses secretHeader %s",
    async (header) => {
      const daemon = await startDaemon();
      try {
        const answer = await ask(daemon.url, SAVE, {
          input: {
            id: "wh",
            target: services.echo,
            hooks: { webhook: { url: "http://127.0.0.1:9/x", secret: "s", secretHeader: header } },
          },
        });
        expect(refusal(answer)).toMatch(/hooks\.webhook\.secretHeader/);
        expect(refusal(answer)).toContain(header);
        expect(await savedRows(daemon)).toBe(0);
      } finally {
        await daemon.stop();
      }
    },
  );
});

describe("secrets in URL queries", () => {
  it("never show in Tunnel.downloader.url, any answer, error texts or the log", async () => {
    const SECRET = "Qk3y-S3cr3t-9876";
    const daemon = await startDaemon();
    try {
      const saved = await ask(daemon.url, SAVE, {
        input: {
          id: "q",
          target: "127.0.0.1:6881",
          downloader: {
            kind: "aria2",
            url: `http://u:${SECRET}@127.0.0.1:1/jsonrpc?key=${SECRET}&apikey=${SECRET}&token=${SECRET}&secret=${SECRET}&password=${SECRET}&page=2`,
          },
          hooks: { webhook: { url: `http://127.0.0.1:1/hook?access_token=${SECRET}` } },
        },
      });
      expect(refusal(saved)).toBe("");
      const failed = await gqlUntil<{ tunnels: Row[] }>(
        daemon.url,
        TUNNELS,
        (d) => d.tunnels[0]?.downloader?.error != null && d.tunnels[0]?.hooks != null,
        60_000,
        {},
        TOKEN,
      );
      const url = failed.tunnels[0]?.downloader?.url ?? "";
      expect(url).toContain("127.0.0.1:1/jsonrpc");
      expect(url).toContain("page=2");
      expect(url).toMatch(/key=REDACTED/);
      const again = await ask(daemon.url, SAVE, {
        input: {
          id: "q",
          target: "127.0.0.1:6881",
          downloader: { kind: "aria2", url: `nonsense?key=${SECRET}` },
        },
      });
      expect(refusal(again)).toMatch(/downloader\.url/);
      // The check that probes the tunnels' downloaders shows their URL and the client's error too.
      const checked = await ask<{ runChecks: { id: string; summary: string; facts: unknown }[] }>(
        daemon.url,
        `mutation { runChecks(ids: ["downloader.loopback"]) { id status summary facts } }`,
      );
      expect(checked.data?.runChecks[0]?.summary).toMatch(/127\.0\.0\.1:1/);
      const everything = [
        JSON.stringify(failed),
        JSON.stringify(again),
        JSON.stringify(checked),
        ...daemon.logs,
      ].join("\n");
      expect(everything).not.toContain(SECRET);
    } finally {
      await daemon.stop();
    }
  });
});

describe("the environment of a hook", () => {
  it("carries the documented hook variables but none of the daemon's own AUTOSTUN_ ones", async () => {
    const out = join(tmp("autostun-env-"), "env.json");
    const before = { token: process.env.AUTOSTUN_API_TOKEN, other: process.env.AUTOSTUN_OTHER };
    process.env.AUTOSTUN_API_TOKEN = "xyz-daemon-token";
    process.env.AUTOSTUN_OTHER = "1";
    const daemon = await startDaemon({
      tunnels: [
        {
          id: "env",
          localPort: 0,
          target: services.echo,
          forward: "userspace",
          hooks: {
            timeoutSeconds: 30,
            command: [
              process.execPath,
              "-e",
              `require("node:fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.env))`,
            ],
          },
        },
      ],
    });
    try {
      await gqlUntil<{ tunnels: Row[] }>(
        daemon.url,
        TUNNELS,
        (d) => d.tunnels[0]?.hooks != null,
        30_000,
        {},
        TOKEN,
      );
      const env = JSON.parse(readFileSync(out, "utf8")) as Record<string, string>;
      expect(env.AUTOSTUN_TUNNEL_ID).toBe("env");
      expect(env.AUTOSTUN_PUBLIC_PORT).toMatch(/^\d+$/);
      expect(env.AUTOSTUN_PRIVATE_IP).toBeTruthy();
      expect(env.AUTOSTUN_API_TOKEN).toBeUndefined();
      expect(env.AUTOSTUN_OTHER).toBeUndefined();
      expect(JSON.stringify(env)).not.toContain("xyz-daemon-token");
    } finally {
      await daemon.stop();
      for (const [name, value] of [
        ["AUTOSTUN_API_TOKEN", before.token],
        ["AUTOSTUN_OTHER", before.other],
      ] as const)
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
    }
  });
});

describe("a tunnel an older version stored with a raw command", () => {
  it("loads without running the command, with a warning naming the tunnel", async () => {
    const proof = join(tmp("autostun-old-"), "F");
    const received: string[] = [];
    const receiver = createServer((request, response) => {
      received.push(request.url ?? "");
      request.resume();
      response.writeHead(204).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/old`;
    const dataDir = tmp("autostun-old-data-");
    const db = openDatabase(dataDir);
    db.prepare("INSERT INTO saved_tunnels (id, config, saved_at) VALUES (?, ?, ?)").run(
      "legacy",
      JSON.stringify({
        id: "legacy",
        localPort: 0,
        target: services.echo,
        forward: "userspace",
        downloader: {
          kind: "aria2",
          url: "http://127.0.0.1:1/jsonrpc",
          username: "",
          password: "",
          restartHook: { command: rootProbe(proof), timeoutSeconds: 60 },
        },
        hooks: {
          command: rootProbe(proof),
          timeoutSeconds: 30,
          webhook: { url: hookUrl, secretHeader: "X-AutoSTUN-Secret" },
        },
      }),
      new Date().toISOString(),
    );
    db.close();
    const daemon = await startDaemon({ dataDir });
    try {
      const data = await gqlUntil<{ tunnels: Row[] }>(
        daemon.url,
        TUNNELS,
        (d) => d.tunnels[0]?.hooks != null,
        30_000,
        {},
        TOKEN,
      );
      expect(data.tunnels[0]).toMatchObject({ id: "legacy", state: "OPEN" });
      expect(data.tunnels[0]?.hooks?.command).toBeNull();
      expect(received).toEqual(["/old"]);
      await settle();
      expect(existsSync(proof)).toBe(false);
      const warnings = daemon.logs.filter((line) => line.includes("legacy") && /command/.test(line));
      expect(warnings.join("\n")).toMatch(/hooks\.command/);
      expect(warnings.join("\n")).toMatch(/restartHook/);
    } finally {
      await daemon.stop();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
