import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { loopbackOnlyNamespace } from "./testing/netns.js";

const REPO = fileURLToPath(new URL("../../..", import.meta.url));
const netns = loopbackOnlyNamespace();
let child: ChildProcess | undefined;

afterAll(() => {
  if (child?.pid) {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // already stopped
    }
  }
  netns.dispose();
});

/** Runs a one-line Node script inside the namespace and returns what it printed. */
function insideNamespace(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("ip", ["netns", "exec", netns.name, process.execPath, "-e", script], (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

describe("npm start on embedded defaults", () => {
  it("prints the console URL, serves the console at / and answers GraphQL", async () => {
    // A fresh namespace with only loopback: the defaults name public STUN servers, which must not be reached.
    const dataDir = mkdtempSync(join(tmpdir(), "autostun-start-"));
    child = spawn("ip", ["netns", "exec", netns.name, "npm", "start", "--silent"], {
      cwd: REPO,
      env: { ...process.env, AUTOSTUN_DATA_DIR: dataDir },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no console URL printed; output so far:\n${output}`)),
        90_000,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /AutoSTUN console: (http:\/\/\S+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child?.stdout?.on("data", onData);
      child?.stderr?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      child?.on("exit", (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
    });
    expect(url).toBe("http://127.0.0.1:7878/");
    const page = await insideNamespace(
      `fetch(${JSON.stringify(url)}).then(r => r.text()).then(t => process.stdout.write(t))`,
    );
    expect(page).toContain(`<div id="root">`);
    // Not on a terminal, so the printed URL carries no token: a client reads it from the token file.
    const token = readFileSync(join(dataDir, "api-token"), "utf8").trim();
    const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
    const checks = await insideNamespace(
      `fetch(${JSON.stringify(`${url}graphql`)}, { method: "POST", headers: ${JSON.stringify(headers)}, body: JSON.stringify({ query: "{ checks { id status } }" }) }).then(r => r.text()).then(t => process.stdout.write(t))`,
    );
    const ids = JSON.parse(checks).data.checks.map((check: { id: string }) => check.id);
    expect(ids).toContain("docker.network-mode");
  }, 120_000);
});
