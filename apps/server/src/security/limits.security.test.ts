import { spawn } from "node:child_process";
import { appendFileSync, readdirSync, readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import type { Daemon } from "../daemon.js";
import { refusal } from "../graphql/testing/save-tunnel.js";
import { startTestDaemon } from "../testing/daemon.js";
import {
  BIN,
  type Finished,
  logLines,
  plainLines,
  serve,
  startCli,
  writeConfig,
} from "./testing/cli-process.js";
import { answersNormally, graphql } from "./testing/clients.js";

/*
 * Finding 5 (descriptor exhaustion ended the daemon; tunnels uncapped) and finding 7 (targets that
 * publish the metadata server, the daemon's own API or the tunnel itself). Every API call carries the
 * token, so these tests hold whether or not a token is required by default.
 */

const SPAWNS = { timeout: 180_000 };
const TOKEN = "limits-test-token-0123456789abcdef";
const AUTH = { authorization: `Bearer ${TOKEN}` };
/** Nothing listens on loopback port 9: a tunnel's punch fails at once and it keeps retrying, offline. */
const NO_STUN = { udp: [], tcp: ["127.0.0.1:9"] };
const API = `api: { listen: "127.0.0.1:0", token: "${TOKEN}" }\nstun: { udp: [], tcp: ["127.0.0.1:9"] }\n`;
const STACK_FRAME = /^\s+at .+\(?.+:\d+:\d+\)?$/m;

function lineOf(file: string, needle: string): number {
  return (
    readFileSync(file, "utf8")
      .split("\n")
      .findIndex((line) => line.includes(needle)) + 1
  );
}

/**
 * `autostun serve` to its end, or, when it starts serving instead of refusing, stopped and reported as
 * served (today's code serves these configs, and a test must not hang on that).
 */
async function serveOutcome(file: string): Promise<Finished & { served: boolean }> {
  const started = startCli(["serve", "--config", file]);
  let served = false;
  started.child.stdout?.on("data", () => {
    if (/AutoSTUN console: /.test(started.output.stdout) && !served) {
      served = true;
      started.child.kill("SIGTERM");
    }
  });
  const end = await started.finished;
  return { ...end, served };
}

async function expectRefusedAt(file: string, key: string, needle: string, what: RegExp) {
  const result = await serveOutcome(file);
  expect(result.served, `serve started instead of refusing: ${result.stderr}`).toBe(false);
  expect(result.stderr).not.toMatch(STACK_FRAME);
  const lines = plainLines(result.stderr);
  expect(lines[0]).toBe("autostun: invalid configuration:");
  const problem = lines.find((line) => line.startsWith(`  - ${key} (${file}:${lineOf(file, needle)}): `));
  expect(problem, lines.join("\n")).toBeDefined();
  expect(problem).toMatch(what);
  expect(result.code).toBe(2);
}

const SAVE = (id: string, target: string, localPort = 0) =>
  `mutation { saveTunnel(input: { id: ${JSON.stringify(id)}, target: ${JSON.stringify(target)}, localPort: ${localPort} }) { tunnel { id } problems { key source message } } }`;

const daemons: Daemon[] = [];
afterAll(async () => {
  await Promise.all(daemons.map((daemon) => daemon.stop()));
});

async function daemon(extra: Record<string, unknown> = {}) {
  const started = await startTestDaemon({
    api: { listen: "127.0.0.1:0", token: TOKEN },
    stun: NO_STUN,
    ...extra,
  });
  daemons.push(started);
  return started;
}

describe("tunnels are capped (limits.maxTunnels)", SPAWNS, () => {
  it("300 saveTunnel calls: 32 are saved, the rest refused naming the key, and the API keeps answering", async () => {
    const { url } = await daemon();
    const answers = [];
    // Ten at a time: the cap must hold against concurrent calls, not only one after another.
    for (let start = 0; start < 300; start += 10) {
      answers.push(
        ...(await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            graphql(url, SAVE(`t${start + i}`, "127.0.0.1:6881"), { headers: AUTH }),
          ),
        )),
      );
    }
    const saved = answers.filter((answer) => refusal(answer.json) === "");
    const refused = answers.filter((answer) => answer.json.errors?.length);
    expect(saved).toHaveLength(32);
    expect(refused).toHaveLength(268);
    for (const answer of refused) {
      expect(answer.json.errors?.[0]?.message).toMatch(/32 tunnels.*limits\.maxTunnels/);
    }
    expect(await answersNormally(url, AUTH)).toBe(true);
    const listed = await graphql(url, "{ tunnels { id } }", { headers: AUTH });
    expect(listed.json.data?.["tunnels"]).toHaveLength(32);
    // Replacing a saved tunnel at the cap is not a new one.
    const replaced = await graphql(
      url,
      SAVE(
        String((listed.json.data?.["tunnels"] as { id: string }[] | undefined)?.[0]?.id),
        "127.0.0.1:6882",
      ),
      { headers: AUTH },
    );
    expect(refusal(replaced.json)).toBe("");
  });

  it("a config file with more tunnels than limits.maxTunnels: serve exits 2 naming the key and line", async () => {
    const tunnels = Array.from(
      { length: 3 },
      (_, i) => `  - { id: "f${i}", target: "127.0.0.1:${6881 + i}" }\n`,
    ).join("");
    const { file } = writeConfig(`${API}limits: { maxTunnels: 2 }\ntunnels:\n${tunnels}`);
    await expectRefusedAt(file, "tunnels[2]", 'id: "f2"', /3 tunnels .*limits\.maxTunnels is 2/);
  });

  it("a reload that would pass the cap with the tunnels saved through the API is refused", async () => {
    const { file } = writeConfig(`${API}limits: { maxTunnels: 2 }\n`);
    const running = await serve(file);
    try {
      for (const id of ["api-1", "api-2"]) {
        const saved = await graphql(running.url, SAVE(id, "127.0.0.1:6881"), { headers: AUTH });
        expect(refusal(saved.json)).toBe("");
      }
      appendFileSync(file, 'tunnels:\n  - { id: "file-1", target: "127.0.0.1:6882" }\n');
      const reload = await graphql(
        running.url,
        "mutation { reloadConfig { status message problems { key message } } }",
        { headers: AUTH },
      );
      const result = reload.json.data?.["reloadConfig"] as {
        status: string;
        problems: { key: string; message: string }[];
      };
      expect(result.status).not.toBe("APPLIED");
      expect(result.problems[0]?.key).toBe("limits.maxTunnels");
      const listed = await graphql(running.url, "{ tunnels { id } }", { headers: AUTH });
      expect(listed.json.data?.["tunnels"]).toEqual([{ id: "api-1" }, { id: "api-2" }]);
    } finally {
      running.child.kill("SIGTERM");
      await running.finished;
    }
  });

  it("limits.maxTunnels itself has a range", async () => {
    const { file } = writeConfig(`${API}limits: { maxTunnels: 100000 }\n`);
    await expectRefusedAt(file, "limits.maxTunnels", "maxTunnels", /out of range: use 1-1024/);
  });
});

describe("targets that are never forwarded to", SPAWNS, () => {
  const refusedTargets: [string, RegExp][] = [
    ["169.254.169.254:80", /cloud metadata/],
    ["[fd00:ec2::254]:80", /cloud metadata/],
    ["100.100.100.200:80", /cloud metadata/],
    ["168.63.129.16:80", /cloud metadata|Azure/],
    ["169.254.10.20:6881", /link-local/],
    ["[fe80::1]:6881", /link-local/],
  ];

  it("the API refuses metadata, link-local, its own API port and a tunnel's own port, naming the field", async () => {
    const { url } = await daemon();
    const apiPort = new URL(url).port;
    const cases: [string, RegExp, number?][] = [
      ...refusedTargets,
      [`127.0.0.1:${apiPort}`, /the daemon's own API/],
      [`localhost:${apiPort}`, /the daemon's own API/],
      ["127.0.0.1:47321", /its own port/, 47321],
    ];
    for (const [target, why, localPort] of cases) {
      const answer = await graphql(url, SAVE("bad", target, localPort), { headers: AUTH });
      // A refused target is a problem of the input: data, with nothing saved.
      expect(answer.json.errors, target).toBeUndefined();
      const message = refusal(answer.json);
      expect(message, target).toContain("tunnel.target");
      expect(message, target).toMatch(why);
    }
    // Another tunnel's port on this host would chain one tunnel into the other.
    const first = await graphql(url, SAVE("first", "127.0.0.1:6881", 47322), { headers: AUTH });
    expect(refusal(first.json)).toBe("");
    const chained = await graphql(url, SAVE("second", "127.0.0.1:47322"), { headers: AUTH });
    expect(refusal(chained.json)).toMatch(/tunnel.target.*tunnel "first"/);
    const listed = await graphql(url, "{ tunnels { id } }", { headers: AUTH });
    expect(listed.json.data?.["tunnels"]).toEqual([{ id: "first" }]);
  });

  it("ordinary loopback and LAN targets are still accepted", async () => {
    const { url } = await daemon();
    for (const [id, target] of [
      ["loop", "127.0.0.1:6881"],
      ["lan", "192.168.1.20:6881"],
      ["lan6", "[fd12:3456::20]:6881"],
    ]) {
      const answer = await graphql(url, SAVE(String(id), String(target)), { headers: AUTH });
      expect(refusal(answer.json), target).toBe("");
    }
  });

  it.each(refusedTargets)(
    "serve refuses %s in the config file: exit 2 with the key and line",
    async (target, why) => {
      const { file } = writeConfig(`${API}tunnels:\n  - id: "bad"\n    target: "${target}"\n`);
      await expectRefusedAt(file, "tunnels[0].target", target, why);
    },
  );

  it("serve refuses a target on its own API port, its own local port or another tunnel's port", async () => {
    const api = writeConfig(
      `api: { listen: "127.0.0.1:47878", token: "${TOKEN}" }\nstun: { udp: [], tcp: ["127.0.0.1:9"] }\ntunnels:\n  - id: "api"\n    target: "127.0.0.1:47878"\n`,
    );
    await expectRefusedAt(api.file, "tunnels[0].target", 'target: "127.0.0.1:47878"', /the daemon's own API/);
    const own = writeConfig(
      `${API}tunnels:\n  - id: "loop"\n    localPort: 47331\n    target: "127.0.0.1:47331"\n`,
    );
    await expectRefusedAt(own.file, "tunnels[0].target", "127.0.0.1:47331", /its own port/);
    const chained = writeConfig(
      `${API}tunnels:\n  - id: "a"\n    localPort: 47332\n    target: "127.0.0.1:6881"\n  - id: "b"\n    target: "localhost:47332"\n`,
    );
    await expectRefusedAt(chained.file, "tunnels[1].target", "localhost:47332", /tunnel "a"/);
  });
});

/** File descriptors `pid` holds now. */
function openDescriptors(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

function openIdle(port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port }, () => resolve(socket));
    socket.on("error", () => resolve(undefined));
    socket.setTimeout(5_000, () => resolve(undefined));
  });
}

describe("descriptor exhaustion is reported, never a crash", SPAWNS, () => {
  it("a daemon out of file descriptors stays up, logs EMFILE once, its tunnel says why, and it answers again once they are freed", async () => {
    const LIMIT = 256;
    const { file } = writeConfig(
      `${API}log: { level: "info" }\ntunnels:\n  - { id: "t1", target: "127.0.0.1:6881" }\n`,
    );
    const child = spawn(
      "prlimit",
      [`--nofile=${LIMIT}:${LIMIT}`, process.execPath, BIN, "serve", "--config", file],
      {
        env: { ...process.env, LANG: "C" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const output = { stdout: "", stderr: "" };
    child.stdout.on("data", (chunk: Buffer) => {
      output.stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output.stderr += chunk.toString();
    });
    let exited: number | null | undefined;
    child.on("exit", (code) => {
      exited = code;
    });
    const held: Socket[] = [];
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", () => {
          const found = /AutoSTUN console: (\S+)/.exec(output.stdout);
          if (found?.[1]) resolve(found[1]);
        });
        child.on("exit", (code) => reject(new Error(`serve ended (exit ${code}): ${output.stderr}`)));
      });
      const port = Number(new URL(url).port);
      expect(await answersNormally(url, AUTH)).toBe(true);
      const pid = child.pid as number;
      // Every idle connection to the API costs the daemon one descriptor; take all of them, and a few more.
      // Topped up while the test waits: the daemon closes idle keep-alive connections and frees a few.
      const fill = async () => {
        for (let tries = 0; tries < 2 * LIMIT && openDescriptors(pid) < LIMIT; tries++) {
          const socket = await openIdle(port);
          if (socket) held.push(socket);
          // The daemon accepts after the client sees the connection; let it catch up before counting again.
          if (openDescriptors(pid) >= LIMIT - 2) await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      await fill();
      expect(openDescriptors(pid)).toBe(LIMIT);
      // The network watch reads the interface addresses every 15 s, and the tunnel retries its punch;
      // both need a descriptor.
      const watchLine = () =>
        logLines(output.stderr).filter(
          (line) => line["code"] === "EMFILE" && line["where"] === "reading the network interfaces",
        );
      const tunnelLine = () =>
        logLines(output.stderr).filter(
          (line) => line["tunnel"] === "t1" && /out of file descriptors/.test(String(line["msg"])),
        );
      const deadline = Date.now() + 60_000;
      while (
        Date.now() < deadline &&
        exited === undefined &&
        (watchLine().length === 0 || tunnelLine().length === 0)
      ) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        if (exited === undefined) await fill();
      }
      expect(exited, `the daemon exited: ${output.stderr.slice(-2000)}`).toBeUndefined();
      expect(watchLine(), `fds ${openDescriptors(pid)}; ${output.stderr.slice(-1500)}`).toHaveLength(1);
      expect(String(watchLine()[0]?.["msg"])).toMatch(/too many open files.*AutoSTUN keeps running/);
      expect(tunnelLine().length).toBeGreaterThanOrEqual(1);
      for (const socket of held.splice(0)) socket.destroy();
      const back = Date.now() + 20_000;
      let answered = false;
      while (!answered && Date.now() < back) {
        answered = await answersNormally(url, AUTH).catch(() => false);
        if (!answered) await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(answered).toBe(true);
      expect(exited).toBeUndefined();
      // One line a minute, not one per poll.
      expect(watchLine()).toHaveLength(1);
    } finally {
      for (const socket of held) socket.destroy();
      child.kill("SIGTERM");
      await new Promise((resolve) => (exited !== undefined ? resolve(undefined) : child.on("exit", resolve)));
    }
  });
});
