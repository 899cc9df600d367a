import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loopbackOnlyNamespace } from "../testing/netns.js";
import { BIN, type Finished, writeConfig } from "./testing/cli-process.js";

/**
 * The default config (no api.token) as an outside probe saw it: `autostun serve` as root in a namespace
 * with only loopback, started with umask 022, and every other local user played by `nobody`. Without the
 * token nobody changes or reads anything; the token file is the owner's alone; the owner is never slowed
 * by somebody else's wrong guesses.
 */

if (process.getuid?.() !== 0)
  throw new Error("this suite needs root: it runs the daemon as root and its clients as the user nobody");

const NOBODY = ["--reuid=65534", "--regid=65534", "--clear-groups"];
const PORT = 7878;
const WS_MODULE = createRequire(import.meta.url).resolve("ws");

/** One request of the client script; `at` delays it (ms from the script's start). */
interface Ask {
  at?: number;
  kind?: "http" | "ws" | "read";
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  query?: string;
  /** ws: the connection_init payload. read: the file to read. */
  payload?: Record<string, unknown>;
  file?: string;
}
interface Answer {
  status: number;
  body: string;
  ms: number;
  code?: string;
}

/**
 * The client, a plain CommonJS file any user can run: answers every request of its JSON argument (each
 * after its own `at`, all at once otherwise) and prints the answers as one JSON line.
 */
const CLIENT = `
const http = require("node:http");
const fs = require("node:fs");
const spec = JSON.parse(process.argv[2]);
const viaHttp = (r) => new Promise((resolve) => {
  const started = Date.now();
  const req = http.request({ host: "127.0.0.1", port: spec.port, method: r.method || "POST", path: r.path || "/graphql",
    headers: { "content-type": "application/json", ...(r.headers || {}) } }, (res) => {
    let body = "";
    res.setEncoding("utf8");
    res.on("data", (c) => { body += c; });
    res.on("end", () => resolve({ status: res.statusCode, body, ms: Date.now() - started }));
  });
  req.on("error", (e) => resolve({ status: 0, body: String(e), ms: Date.now() - started }));
  req.end(r.query ? JSON.stringify({ query: r.query }) : undefined);
});
const viaWs = (r) => new Promise((resolve) => {
  const WebSocket = require(spec.ws);
  const started = Date.now();
  const messages = [];
  const socket = new WebSocket("ws://127.0.0.1:" + spec.port + "/graphql", "graphql-transport-ws");
  const done = (status) => { clearTimeout(timer); socket.terminate(); resolve({ status, body: JSON.stringify(messages), ms: Date.now() - started }); };
  const timer = setTimeout(() => done(-1), 8000);
  socket.on("unexpected-response", (_q, res) => done(res.statusCode));
  socket.on("error", (e) => { messages.push(String(e)); done(0); });
  socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: r.payload || {} })));
  socket.on("message", (data) => {
    const message = JSON.parse(String(data));
    messages.push(message);
    if (message.type === "connection_ack")
      socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: r.query } }));
    if (message.type === "next" || message.type === "error") done(200);
  });
  socket.on("close", (code) => done(code));
});
const readFile = (r) => {
  try { return { status: 200, body: fs.readFileSync(r.file, "utf8"), ms: 0 }; }
  catch (e) { return { status: 0, body: "", ms: 0, code: e.code }; }
};
const run = (r) => new Promise((resolve) => setTimeout(() =>
  resolve(r.kind === "ws" ? viaWs(r) : r.kind === "read" ? readFile(r) : viaHttp(r)), r.at || 0));
Promise.all(spec.asks.map(run)).then((answers) => process.stdout.write(JSON.stringify(answers) + "\\n"));
`;

let ns: ReturnType<typeof loopbackOnlyNamespace>;
let folder: string;
let dataDir: string;
let configFile: string;
let clientFile: string;
let hookMark: string;
let daemon: ChildProcess;
const output = { stdout: "", stderr: "" };

/** Runs `argv` in the namespace, as root or (with `asNobody`) as nobody, to the end. */
function inNamespace(argv: string[], asNobody = false): Promise<Finished> {
  const command = asNobody ? ["setpriv", ...NOBODY, ...argv] : argv;
  const child = spawn("ip", ["netns", "exec", ns.name, ...command], {
    env: { ...process.env, LANG: "C" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out = { stdout: "", stderr: "" };
  child.stdout.on("data", (chunk: Buffer) => {
    out.stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    out.stderr += chunk.toString();
  });
  return new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, ...out })));
}

/** The client script's answers, as nobody unless `asRoot`. */
async function ask(asks: Ask[], asRoot = false): Promise<Answer[]> {
  const spec = JSON.stringify({ port: PORT, ws: WS_MODULE, asks });
  const ran = await inNamespace([process.execPath, clientFile, spec], !asRoot);
  if (ran.code !== 0) throw new Error(`the client failed (${ran.code}): ${ran.stderr}`);
  return JSON.parse(ran.stdout) as Answer[];
}

const tokenFile = () => join(dataDir, "api-token");
const ownerToken = () => readFileSync(tokenFile(), "utf8").trim();
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Starts `autostun serve` in the namespace with umask 022 (as outside systemd); resolves once it serves. */
function serveWithUmask(file: string, sink: { stdout: string; stderr: string }): Promise<ChildProcess> {
  const child = spawn(
    "ip",
    [
      "netns",
      "exec",
      ns.name,
      "sh",
      "-c",
      `umask 022; exec "$0" "$1" serve --config "$2"`,
      process.execPath,
      BIN,
      file,
    ],
    { env: { ...process.env, LANG: "C" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stderr.on("data", (chunk: Buffer) => {
    sink.stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      sink.stdout += chunk.toString();
      if (sink.stdout.includes("AutoSTUN console:")) resolve(child);
    });
    child.once("close", (code) =>
      reject(new Error(`serve ended (${code}) before it served:\n${sink.stderr}`)),
    );
  });
}

beforeAll(async () => {
  ns = loopbackOnlyNamespace();
  folder = mkdtempSync(join(tmpdir(), "autostun-auth-default-"));
  chmodSync(folder, 0o755);
  dataDir = join(folder, "data");
  hookMark = join(folder, "hook-ran");
  clientFile = join(folder, "client.cjs");
  writeFileSync(clientFile, CLIENT);
  chmodSync(clientFile, 0o644);
  // No api.token: the default. The safe defaults of writeConfig keep it off public STUN servers.
  configFile = writeConfig(
    `dataDir: ${JSON.stringify(dataDir)}\napi: { listen: "127.0.0.1:${PORT}" }\n`,
    folder,
  ).file;
  daemon = await serveWithUmask(configFile, output);
}, 120_000);

afterAll(() => {
  daemon?.kill("SIGKILL");
  ns?.dispose();
});

const MUTATIONS: Record<string, string> = {
  "saveTunnel with a hook command": `mutation { saveTunnel(input: { id: "pwned", target: "127.0.0.1:9", hooks: { command: ["/bin/sh", "-c", "id > ${"HOOK"}"] } }) { tunnel { id } } }`,
  "applyRemedy allow-port": `mutation { applyRemedy(checkId: "firewall.inbound", remedyId: "allow-port:6881") { ok message } }`,
  ban: `mutation { ban(cidr: "198.51.100.7", reason: "nobody") { cidr } }`,
  runChecks: "mutation { runChecks { id status } }",
  reloadConfig: "mutation { reloadConfig { status } }",
};

describe("the default config: nothing without the token", () => {
  it("refuses every mutation nobody sends without the token, and none of them happens", async () => {
    const names = Object.keys(MUTATIONS);
    const answers = await ask(
      names.map((name) => ({ query: (MUTATIONS[name] as string).replace("HOOK", hookMark) })),
    );
    for (const [index, answer] of answers.entries()) {
      expect(answer.status, names[index]).toBe(401);
      expect(answer.body, names[index]).not.toMatch(/"data"/);
    }
    // The refusal says where the token is, without it.
    expect(answers[0]?.body).toContain(tokenFile());
    expect(answers[0]?.body).not.toContain(ownerToken());

    const [state] = await ask(
      [{ query: "{ tunnels { id } bans { cidr } checks { id status } }", headers: bearer(ownerToken()) }],
      true,
    );
    expect(state?.status).toBe(200);
    const data = JSON.parse(state?.body ?? "{}").data;
    expect(data.tunnels).toEqual([]);
    expect(data.bans).toEqual([]);
    expect(data.checks.every((check: { status: string }) => check.status === "PENDING")).toBe(true);
    expect(existsSync(hookMark)).toBe(false);
    const rules = await inNamespace(["nft", "list", "ruleset"]);
    expect(rules.stdout).not.toContain("6881");
  });

  it("refuses queries, /metrics and a WebSocket subscription without the token", async () => {
    const answers = await ask([
      { query: "{ tunnels { id } }" },
      { query: "{ bans { cidr } }" },
      { query: "{ checks { id status summary } }" },
      { method: "GET", path: "/metrics" },
      { kind: "ws", query: "subscription { checkUpdated { id status } }" },
      { kind: "ws", query: "{ tunnels { id } }", payload: { authorization: "Bearer not-the-token" } },
    ]);
    for (const answer of answers.slice(0, 4)) expect(answer.status).toBe(401);
    expect(answers[3]?.body).not.toContain("autostun_");
    // graphql-ws closes a refused connection with 4403 before any operation runs.
    expect(answers[4]?.status).toBe(4403);
    expect(answers[5]?.status).toBe(4403);
    expect(answers[4]?.body).not.toContain('"next"');
  });

  it("keeps the token file to the owner: 0600 under umask 022, EACCES for nobody", async () => {
    expect(statSync(tokenFile()).mode & 0o777).toBe(0o600);
    expect(ownerToken()).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    const [read] = await ask([{ kind: "read", file: tokenFile() }]);
    expect(read?.code).toBe("EACCES");
  });

  it("serves the owner who reads the token file, over HTTP, WebSocket and /metrics", async () => {
    const token = ownerToken();
    const answers = await ask(
      [
        { query: "{ checks { id } }", headers: bearer(token) },
        { method: "GET", path: "/metrics", headers: bearer(token) },
        { kind: "ws", query: "{ tunnels { id } }", payload: bearer(token) },
      ],
      true,
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
  });

  it("`autostun status` works for root with no token flag, and tells nobody which file it cannot read", async () => {
    const root = await inNamespace([process.execPath, BIN, "status", "--config", configFile]);
    expect(root.stderr).toBe("");
    expect(root.stdout).toMatch(/Checks:/);
    const other = await inNamespace([process.execPath, BIN, "status", "--config", configFile], true);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain(tokenFile());
    expect(other.stderr).toMatch(/EACCES/);
    expect(other.stderr).toMatch(/--token/);
  });

  it("never writes the token to the log, and prints the console URL without it when not on a terminal", () => {
    const token = ownerToken();
    expect(output.stderr).not.toContain(token);
    expect(output.stdout).not.toContain(token);
    expect(output.stdout).toContain(`AutoSTUN console: http://127.0.0.1:${PORT}/\n`);
    expect(output.stdout).not.toContain("#token=");
    expect(output.stdout).toContain(tokenFile());
  });

  it("prints the console URL with #token= once, on a terminal only", async () => {
    const ttyData = join(folder, "tty-data");
    const ttyConfig = writeConfig(
      `dataDir: ${JSON.stringify(ttyData)}\napi: { listen: "127.0.0.1:${PORT + 1}" }\n`,
      mkdtempSync(join(tmpdir(), "autostun-auth-tty-")),
    ).file;
    const command = `"${process.execPath}" "${BIN}" serve --config "${ttyConfig}"`;
    const child = spawn("ip", ["netns", "exec", ns.name, "script", "-qfc", command, "/dev/null"], {
      env: { ...process.env, LANG: "C" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let seen = "";
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        seen += chunk.toString();
        if (/GraphQL API:/.test(seen)) resolve();
      });
      child.once("close", (code) => reject(new Error(`serve under script ended (${code}):\n${seen}`)));
    });
    child.kill("SIGTERM");
    const token = readFileSync(join(ttyData, "api-token"), "utf8").trim();
    expect(seen).toContain(`AutoSTUN console: http://127.0.0.1:${PORT + 1}/#token=${token}`);
    expect(seen.split(token).length - 1).toBe(1);
    expect(seen.split("\n").filter((line) => line.includes(token) && line.startsWith("{"))).toEqual([]);
  });
});

describe("wrong tokens are slowed; the owner is not", () => {
  it("answers the owner at once while nobody guesses every 2 s and in a burst of 50", async () => {
    const token = ownerToken();
    // nobody: a wrong token every 2 s for 14 s, and 50 at once in the middle.
    const guesses: Ask[] = Array.from({ length: 8 }, (_, i) => ({
      at: i * 2_000,
      query: "{ checks { id } }",
      headers: bearer(`wrong-guess-${i}`),
    }));
    const burst: Ask[] = Array.from({ length: 50 }, (_, i) => ({
      at: 7_000,
      query: "{ checks { id } }",
      headers: bearer(`burst-guess-${i}`),
    }));
    const attacker = ask([...guesses, ...burst]);

    // The owner, meanwhile: a scrape and a query with the right token every second, and `autostun status`.
    const owner: Ask[] = Array.from({ length: 12 }, (_, i) => [
      { at: 2_500 + i * 1_000, method: "GET", path: "/metrics", headers: bearer(token) },
      { at: 2_500 + i * 1_000, query: "{ tunnels { id } }", headers: bearer(token) },
    ]).flat();
    const [ownerAnswers, status, attackerAnswers] = await Promise.all([
      ask(owner, true),
      new Promise<Finished>((resolve) =>
        setTimeout(
          () => resolve(inNamespace([process.execPath, BIN, "status", "--config", configFile])),
          7_500,
        ),
      ),
      attacker,
    ]);

    const wrong = attackerAnswers;
    // Every wrong token was held and then refused; none was turned away as "busy" (the tarpit had room).
    expect(wrong.map((answer) => answer.status)).toEqual(wrong.map(() => 401));
    // Held: the later guesses waited the longest the tarpit holds one.
    const heldLater = wrong.slice(3).map((answer) => answer.ms);
    const shortestHold = Math.min(...heldLater);
    expect(shortestHold).toBeGreaterThanOrEqual(1_000);

    const ownerMs = ownerAnswers.map((answer) => answer.ms);
    console.log(
      `tarpit: owner's ${ownerMs.length} answers took ${Math.min(...ownerMs)}-${Math.max(...ownerMs)} ms; ` +
        `nobody's later wrong tokens were held ${shortestHold}-${Math.max(...heldLater)} ms`,
    );
    expect(ownerAnswers.map((answer) => answer.status)).toEqual(ownerAnswers.map(() => 200));
    // The owner never waits the tarpit's hold: each answer came in a fraction of what a guess waited.
    expect(Math.max(...ownerAnswers.map((answer) => answer.ms))).toBeLessThan(shortestHold / 2);
    expect(status.stderr).toBe("");
    expect(status.code).toBe(0);
  }, 60_000);

  it("answers a wrong token 429 at once when the tarpit is full, never the right one", async () => {
    const token = ownerToken();
    const flood: Ask[] = Array.from({ length: 150 }, (_, i) => ({
      query: "{ checks { id } }",
      headers: bearer(`flood-${i}`),
    }));
    const [answers, owner] = await Promise.all([
      ask(flood),
      ask([{ at: 500, method: "GET", path: "/metrics", headers: bearer(token) }], true),
    ]);
    const busy = answers.filter((answer) => answer.status === 429);
    const held = answers.filter((answer) => answer.status === 401);
    expect(busy.length).toBeGreaterThan(0);
    expect(held.length).toBeGreaterThan(0);
    expect(Math.max(...busy.map((answer) => answer.ms))).toBeLessThan(
      Math.min(...held.map((answer) => answer.ms)),
    );
    expect(owner[0]?.status).toBe(200);
  }, 60_000);
});
