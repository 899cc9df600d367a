import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Lab } from "@autostun/netlab";
import { tokenOfConfig } from "../../testing/daemon-token.js";

const BIN = fileURLToPath(new URL("../../../bin/autostun.mjs", import.meta.url));

/**
 * Posts GraphQL requests from inside a namespace, where the daemon's loopback API is: one long-lived
 * node process reading a JSON request per line and printing `{ seq, sentAt, answer }`, so a request costs
 * a loopback round trip, not a process start.
 */
const CLIENT = `
const rl = require("node:readline").createInterface({ input: process.stdin });
rl.on("line", async (line) => {
  const { seq, url, query, variables, token } = JSON.parse(line);
  const sentAt = Date.now();
  try {
    const headers = { "content-type": "application/json", authorization: "Bearer " + token };
    const response = await fetch(url, { method: "POST", headers,
      body: JSON.stringify({ query, variables }) });
    process.stdout.write(JSON.stringify({ seq, sentAt, answer: await response.json() }) + "\\n");
  } catch (error) {
    process.stdout.write(JSON.stringify({ seq, sentAt, answer: { errors: [{ message: String(error) }] } }) + "\\n");
  }
});`;

export interface GqlAnswer<T> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** Runs `file args` in a namespace with stdin, stdout and stderr as pipes; the lab's teardown kills it too. */
export function spawnIn(ns: string, file: string, args: readonly string[]): ChildProcess {
  const child = spawn("ip", ["netns", "exec", ns, file, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  child.once("error", () => {});
  child.stdin?.on("error", () => {});
  return child;
}

/** `autostun serve` inside the LAN namespace, and a GraphQL client beside it. */
export class LanDaemon {
  stdout = "";
  stderr = "";
  /** The API token the daemon runs with (api.token, else its token file); known once `ready` resolved. */
  token = "";
  readonly exited: Promise<number | null>;
  private client: ChildProcess | undefined;
  private seq = 0;
  private readonly replies = new Map<number, (reply: { sentAt: number; answer: unknown }) => void>();

  private constructor(
    private readonly lab: Lab,
    readonly child: ChildProcess,
    private readonly configFile: string,
  ) {
    child.stdout?.on("data", (chunk: Buffer) => {
      this.stdout += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-20_000);
    });
    this.exited = new Promise((resolve) => child.once("close", (code) => resolve(code)));
  }

  static start(lab: Lab, configFile: string): LanDaemon {
    return new LanDaemon(
      lab,
      spawnIn(lab.namespaces.lan, process.execPath, [BIN, "serve", "--config", configFile]),
      configFile,
    );
  }

  /** The same, as user nobody with no capabilities: nftables is out of reach, as for most desktop users. */
  static startUnprivileged(lab: Lab, configFile: string): LanDaemon {
    const drop = [
      "--reuid=65534",
      "--regid=65534",
      "--clear-groups",
      "--inh-caps=-all",
      "--bounding-set=-all",
    ];
    return new LanDaemon(
      lab,
      spawnIn(lab.namespaces.lan, "setpriv", [
        ...drop,
        process.execPath,
        BIN,
        "serve",
        "--config",
        configFile,
      ]),
      configFile,
    );
  }

  /** Resolves with the API's URL once the daemon printed it; fails with its output if it ends first. */
  async ready(timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const url = /GraphQL API: (\S+)/.exec(this.stdout)?.[1];
      if (url) {
        this.token = tokenOfConfig(this.configFile);
        this.startClient();
        return url;
      }
      if (this.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`autostun serve did not come up (exit ${this.child.exitCode}):\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async gql<T>(url: string, query: string, variables: Record<string, unknown> = {}) {
    const seq = ++this.seq;
    const reply = await new Promise<{ sentAt: number; answer: unknown }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${query}\n${this.stderr}`)), 20_000);
      this.replies.set(seq, (value) => {
        clearTimeout(timer);
        resolve(value);
      });
      this.client?.stdin?.write(`${JSON.stringify({ seq, url, query, variables, token: this.token })}\n`);
    });
    return { sentAt: reply.sentAt, ...(reply.answer as GqlAnswer<T>) };
  }

  /** Asks until `test` holds; fails with the last answer and the daemon's log. */
  async until<T>(url: string, query: string, test: (data: T) => boolean, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = await this.gql<T>(url, query);
      if (answer.data && test(answer.data)) return answer.data;
      if (Date.now() > deadline)
        throw new Error(`never true: ${JSON.stringify(answer)}\nlog:\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  /** SIGTERM, as a service manager stops it; resolves with the exit code. */
  async stop(): Promise<number | null> {
    this.client?.kill("SIGKILL");
    this.child.kill("SIGTERM");
    return this.exited;
  }

  private startClient(): void {
    this.client = spawnIn(this.lab.namespaces.lan, process.execPath, ["-e", CLIENT]);
    let buffer = "";
    this.client.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        const reply = JSON.parse(buffer.slice(0, nl)) as { seq: number; sentAt: number; answer: unknown };
        buffer = buffer.slice(nl + 1);
        this.replies.get(reply.seq)?.(reply);
        this.replies.delete(reply.seq);
      }
    });
  }
}
