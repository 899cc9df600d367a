import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The Docker image cannot be built here, so this builds what its production stage builds: the same source
// files (the build context), the console and daemon builds copied in, the same deploy/install-production.sh,
// then starts the daemon with the Dockerfile's own ENV, WORKDIR, ENTRYPOINT and CMD, read from the Dockerfile
// itself. Vitest's global setup has just built apps/server/dist from the current sources.
// Everything runs inside a network namespace holding only loopback: the install cannot fetch anything (npm
// runs --offline from this machine's cache) and the daemon's default checks cannot reach public servers.
// About two minutes when better-sqlite3 has to compile SQLite (no prebuilt binary offline), most of it once
// in beforeAll.

const REPO = fileURLToPath(new URL("../..", import.meta.url));

interface Image {
  env: Record<string, string>;
  workdir: string;
  entrypoint: string[];
  cmd: string[];
  healthcheck: string[];
}

/** The final stage's runtime settings; exec-form JSON is required so nothing depends on a shell. */
function readDockerfile(text: string): Image {
  const lastStage = text.slice(text.lastIndexOf("\nFROM "));
  const json = (instruction: string): string[] => {
    const match = new RegExp(`^${instruction} (?:--\\S+ )*(?:CMD )?(\\[.*\\])$`, "m").exec(lastStage);
    if (!match) throw new Error(`the Dockerfile's last stage has no exec-form ${instruction}`);
    return JSON.parse(match[1]!);
  };
  const env: Record<string, string> = {};
  for (const match of lastStage.matchAll(/^ENV (\w+)=(\S+)$/gm)) env[match[1]!] = match[2]!;
  const workdir = /^WORKDIR (\S+)$/m.exec(lastStage)?.[1];
  if (!workdir) throw new Error("the Dockerfile's last stage has no WORKDIR");
  return { env, workdir, entrypoint: json("ENTRYPOINT"), cmd: json("CMD"), healthcheck: json("HEALTHCHECK") };
}

/** Files a `docker build` context holds: tracked and untracked, minus what git ignores. */
function copyBuildContext(to: string): void {
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: REPO,
    encoding: "utf8",
  })
    .split("\0")
    .filter((file) => file && existsSync(join(REPO, file)));
  for (const file of files) {
    mkdirSync(dirname(join(to, file)), { recursive: true });
    copyFileSync(join(REPO, file), join(to, file));
  }
}

function copyTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory()) copyTree(join(from, entry.name), join(to, entry.name));
    else copyFileSync(join(from, entry.name), join(to, entry.name));
  }
}

const namespace = `autostun-prod-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const inNamespace = (command: string[]) => ["netns", "exec", namespace, ...command];
const root = mkdtempSync(join(tmpdir(), "autostun-prod-"));
const app = join(root, "app");
const data = join(root, "data");
const image = readDockerfile(readFileSync(join(REPO, "Dockerfile"), "utf8"));

/** Image paths (/app/…, /data) as they are in this test's folders. */
function hostPath(value: string): string {
  if (value === "/data" || value.startsWith("/data/")) return data + value.slice(5);
  if (value === image.workdir || value.startsWith(`${image.workdir}/`))
    return app + value.slice(image.workdir.length);
  return value;
}

const imageEnv = () => ({
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  // npm finds its cache (what --offline installs from) under HOME.
  HOME: process.env.HOME ?? root,
  ...Object.fromEntries(Object.entries(image.env).map(([key, value]) => [key, hostPath(value)])),
});

/** Runs a command in the namespace, from the app folder, with the image's environment. */
function run(command: string[]) {
  return spawnSync("ip", inNamespace(command.map(hostPath)), { cwd: app, env: imageEnv(), encoding: "utf8" });
}

/** A GraphQL request from inside the namespace (the daemon listens on the namespace's loopback). */
function graphql(query: string): { data?: { checks?: { id: string }[] }; errors?: unknown } {
  // The daemon made its token in the data volume on first start; the owner reads it from there.
  const token = readFileSync(join(data, "api-token"), "utf8").trim();
  const headers = JSON.stringify({ "content-type": "application/json", authorization: `Bearer ${token}` });
  const script = `fetch("http://127.0.0.1:7878/graphql",{method:"POST",headers:${headers},body:process.argv[1]}).then(r=>r.text()).then(t=>process.stdout.write(t))`;
  const result = run(["node", "-e", script, JSON.stringify({ query })]);
  if (result.status !== 0) throw new Error(`GraphQL request failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/**
 * A module hook (given to the daemon through NODE_OPTIONS) that appends the URL of every module the daemon
 * and its workers load to a file, so the test sees whether a TypeScript file or loader was among them.
 */
const loadedModules = { hook: join(root, "record-modules.mjs"), list: join(root, "loaded-modules.txt") };
const RECORD_MODULES = `import { register } from "node:module";
register("data:text/javascript,${encodeURIComponent(`import { appendFileSync } from "node:fs";
export async function load(url, context, next) {
  appendFileSync(${JSON.stringify(loadedModules.list)}, url + "\\n");
  return next(url, context);
}`)}");
`;

let daemon: ChildProcess | undefined;
let daemonOutput = "";
let consoleUrl = "";

beforeAll(async () => {
  if (process.getuid?.() !== 0)
    throw new Error("this test needs root for a network namespace (CI runs as root)");
  execFileSync("ip", ["netns", "add", namespace]);
  execFileSync("ip", ["-n", namespace, "link", "set", "lo", "up"]);

  copyBuildContext(app);
  // The Docker build stage's output. The repo's own `npm run build` makes it; build it if a bare checkout lacks it.
  const consoleDist = join(REPO, "apps/console/dist");
  if (!existsSync(join(consoleDist, "index.html")))
    execFileSync("npm", ["run", "build", "--workspace", "@autostun/console"], { cwd: REPO, stdio: "ignore" });
  copyTree(consoleDist, join(app, "apps/console/dist"));
  copyTree(join(REPO, "apps/server/dist"), join(app, "apps/server/dist"));
  writeFileSync(loadedModules.hook, RECORD_MODULES);
  mkdirSync(data);

  const install = run(["sh", "deploy/install-production.sh", "--offline"]);
  if (install.status !== 0)
    throw new Error(
      `deploy/install-production.sh failed (${install.status}):\n${install.stdout}\n${install.stderr}`,
    );

  const started = spawn("ip", inNamespace([...image.entrypoint, ...image.cmd].map(hostPath)), {
    cwd: hostPath(image.workdir),
    // The one addition to the image's environment: a hook that lists every module the daemon loads.
    env: { ...imageEnv(), NODE_OPTIONS: `--import=${pathToFileURL(loadedModules.hook).href}` },
    stdio: ["ignore", "pipe", "pipe"],
  });
  daemon = started;
  started.stderr.on("data", (chunk) => {
    daemonOutput += chunk;
  });
  consoleUrl = await new Promise<string>((resolve, reject) => {
    started.stdout.on("data", (chunk) => {
      daemonOutput += chunk;
      const url = /AutoSTUN console: (\S+)/.exec(daemonOutput)?.[1];
      if (url) resolve(url);
    });
    started.once("exit", (code) =>
      reject(new Error(`the daemon exited (${code}) before serving:\n${daemonOutput}`)),
    );
  });
}, 600_000);

afterAll(() => {
  daemon?.kill("SIGKILL");
  try {
    for (const pid of execFileSync("ip", ["netns", "pids", namespace], { encoding: "utf8" }).split(/\s+/))
      if (pid) process.kill(Number(pid), "SIGKILL");
  } catch {
    // no namespace, or its processes already gone
  }
  spawnSync("ip", ["netns", "del", namespace]);
  rmSync(root, { recursive: true, force: true });
});

describe("production install (what the Docker image runs)", () => {
  it("has the runtime dependencies and none of the build tools, no TypeScript loader among them", () => {
    const modules = join(app, "node_modules");
    expect(existsSync(join(modules, "better-sqlite3/build/Release/better_sqlite3.node"))).toBe(true);
    expect(existsSync(join(modules, "pino"))).toBe(true);
    const devOnly = [
      "turbo",
      "vite",
      "typescript",
      "vitest",
      "@biomejs/biome",
      "playwright-core",
      "tsx",
      "esbuild",
    ];
    expect(devOnly.filter((name) => existsSync(join(modules, name)))).toEqual([]);
  });

  it("starts the daemon from the Dockerfile's entrypoint and answers GraphQL", () => {
    expect(consoleUrl).toBe("http://127.0.0.1:7878/");
    const answer = graphql("{ checks { id } }");
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.checks?.map((check) => check.id)).toEqual(expect.arrayContaining(["nat.type"]));
  });

  it("runs the built JavaScript: no TypeScript file and no TypeScript loader is ever loaded", () => {
    const loaded = readFileSync(loadedModules.list, "utf8").split("\n").filter(Boolean);
    // The hook saw the daemon start (so an empty list cannot pass), its built-in checks included.
    expect(loaded).toContain(pathToFileURL(join(app, "apps/server/dist/autostun.mjs")).href);
    expect(loaded.some((url) => url.includes("/apps/server/dist/extensions/checks/nat/"))).toBe(true);
    expect(loaded.filter((url) => /\.[cm]?tsx?$|\/(tsx|esbuild)\//.test(url))).toEqual([]);
  });

  it("serves the built console, not the page saying it was never built", () => {
    const page = run([
      "node",
      "-e",
      `fetch("${consoleUrl}").then(r=>r.text()).then(t=>process.stdout.write(t))`,
    ]);
    expect(page.stdout).toBe(readFileSync(join(app, "apps/console/dist/index.html"), "utf8"));
  });

  it("keeps its state in the image's data volume", () => {
    expect(readdirSync(data).length).toBeGreaterThan(0);
  });

  it("reports healthy through the Dockerfile's HEALTHCHECK command", () => {
    const health = run(image.healthcheck);
    expect(health.stderr).toBe("");
    expect(health.status).toBe(0);
  });

  it("accepts the example config docs/operations.md tells users to install", () => {
    const doctor = run([
      ...image.entrypoint,
      "doctor",
      "--json",
      "--check",
      "antivirus.hints",
      "--config",
      `${image.workdir}/deploy/autostun.example.yaml`,
    ]);
    // 2 is the CLI's answer to a bad config; 0 or 1 mean it loaded and the check ran.
    expect(doctor.stderr).not.toMatch(/config/i);
    expect([0, 1]).toContain(doctor.status);
    expect(JSON.parse(doctor.stdout).checks.map((check: { id: string }) => check.id)).toContain(
      "antivirus.hints",
    );
  });

  it("stops on SIGTERM, after which the healthcheck reports unhealthy", async () => {
    const exited = new Promise<number | null>((resolve) => daemon?.once("exit", (code) => resolve(code)));
    // `ip netns exec` execs the command, so this signal reaches node itself.
    daemon?.kill("SIGTERM");
    expect(await exited).toBe(0);
    const health = run(image.healthcheck);
    expect(health.status).toBe(1);
    expect(health.stderr).toMatch(/unhealthy: no answer/);
  });
});

describe("install-production.sh", () => {
  it("refuses to install when the daemon was not built, and says what to do", () => {
    const bare = join(root, "bare-daemon");
    mkdirSync(join(bare, "deploy"), { recursive: true });
    mkdirSync(join(bare, "apps/console/dist"), { recursive: true });
    writeFileSync(join(bare, "apps/console/dist/index.html"), "<!doctype html>");
    copyFileSync(join(REPO, "deploy/install-production.sh"), join(bare, "deploy/install-production.sh"));
    const result = spawnSync("sh", [join(bare, "deploy/install-production.sh")], { encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /apps\/server\/dist\/autostun.mjs is missing; run 'npm ci && npm run build'/,
    );
  });

  it("refuses to install when the console was not built, and says what to do", () => {
    const bare = join(root, "bare");
    mkdirSync(join(bare, "deploy"), { recursive: true });
    copyFileSync(join(REPO, "deploy/install-production.sh"), join(bare, "deploy/install-production.sh"));
    const result = spawnSync("sh", [join(bare, "deploy/install-production.sh")], { encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /apps\/console\/dist\/index.html is missing; run 'npm ci && npm run build'/,
    );
  });
});
