import { type DownloaderAdapter, DownloaderError, type Logger, localize } from "@autostun/plugins-api";
import { describe, expect, it } from "vitest";
import { DownloaderPush, type DownloaderPushOptions } from "./downloader-push.js";

/** A client in memory: `binds` decides whether a port it was told is really listened on. */
function fakeClient(behaviour: { binds?: (port: number) => boolean; failures?: unknown[] } = {}) {
  const calls: string[] = [];
  let port = 6881;
  let listening = 6881;
  const failures = [...(behaviour.failures ?? [])];
  const adapter: DownloaderAdapter = {
    describe: async () => ({ client: "Fake", version: "1" }),
    getListenPort: async () => port,
    setListenPort: async (next) => {
      calls.push(`set ${next}`);
      const failure = failures.shift();
      if (failure) throw failure;
      port = next;
      if (behaviour.binds?.(next) ?? true) listening = next;
    },
    reannounce: async () => void calls.push("reannounce"),
  };
  return { adapter, calls, probe: async (_host: string, at: number) => at === listening };
}

const lines: string[] = [];
const logger: Logger = {
  debug() {},
  info: (message, fields) => void lines.push(`${message} ${JSON.stringify(fields)}`),
  warn: (message, fields) => void lines.push(`${message} ${JSON.stringify(fields)}`),
  error() {},
};

function push(client: ReturnType<typeof fakeClient>, extra: Partial<DownloaderPushOptions> = {}) {
  return new DownloaderPush({
    kind: "fake",
    url: "http://admin:hunter2@127.0.0.1:8080/",
    adapter: client.adapter,
    logger,
    probe: client.probe,
    verifyTries: 2,
    verifyIntervalMs: 1,
    retry: { initialMs: 1, maxMs: 2, maxAttempts: 3 },
    ...extra,
  });
}

describe("pushing a port into a downloader", () => {
  it("sets, reads back, finds the listener and re-announces; the status shows no credentials", async () => {
    const client = fakeClient();
    const status = await push(client).push(51413);
    expect(status).toMatchObject({ state: "VERIFIED", verifiedPort: 51413, url: "http://127.0.0.1:8080" });
    expect(client.calls).toEqual(["set 51413", "reannounce"]);
    expect(JSON.stringify(status) + lines.join("\n")).not.toContain("hunter2");
  });

  it("does not believe a client that reports the port but listens elsewhere", async () => {
    const client = fakeClient({ binds: () => false });
    const status = await push(client).push(51413);
    expect(status.state).toBe("FAILED");
    expect(status.verifiedPort).toBeUndefined();
    expect(status.error).toMatchObject({
      kind: "IGNORED_CHANGE",
      message: "fake reports port 51413, but nothing accepts connections on 127.0.0.1:51413",
      summary: { "zh-CN": expect.stringContaining("没有采用端口 51413") },
    });
    expect(client.calls).toEqual(["set 51413", "set 51413", "set 51413"]);
  });

  it("stops at once on refused credentials, and retries a client that was down until it answers", async () => {
    const refused = fakeClient({ failures: [new DownloaderError("CREDENTIALS_REFUSED", "bad password")] });
    expect(await push(refused).push(7000)).toMatchObject({
      state: "FAILED",
      attempts: 1,
      error: { kind: "CREDENTIALS_REFUSED" },
    });
    const down = new DownloaderError("UNREACHABLE", "127.0.0.1:8080 ECONNREFUSED");
    const late = fakeClient({ failures: [down, down] });
    expect(await push(late).push(7000)).toMatchObject({ state: "VERIFIED", attempts: 3, verifiedPort: 7000 });
  });

  it("says which credential was refused: the user name or password, or the API key when one was sent", async () => {
    const failure = () => new DownloaderError("CREDENTIALS_REFUSED", "qBittorrent refused it");
    const withPassword = await push(fakeClient({ failures: [failure()] })).push(7000);
    expect(withPassword.error?.summary).toMatchObject({
      en: expect.stringContaining("user name or password"),
      "zh-CN": expect.stringContaining("用户名或密码"),
    });
    const withKey = await push(fakeClient({ failures: [failure()] }), { usesApiKey: true }).push(7000);
    expect(localize(withKey.error?.summary ?? "", "en")).toContain("refused the API key");
    expect(localize(withKey.error?.summary ?? "", "zh-CN")).toContain("拒绝了 API 密钥");
    expect(JSON.stringify(withKey.error?.summary)).not.toMatch(/refused the user name|拒绝了用户名/);
  });

  it("runs the restart hook when the client ignored the change, and fails plainly when the hook fails", async () => {
    const client = fakeClient({ binds: () => false });
    const failing = push(client, { restartHook: { argv: [process.execPath, "-e", "process.exit(3)"] } });
    const status = await failing.push(6900);
    expect(status.error?.message).toMatch(/the restart hook failed: .* exited with code 3/);
  });
});
