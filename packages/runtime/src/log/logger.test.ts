import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createRootLogger, type LogLevel, redactLogValue } from "./logger.js";

function capture(level: LogLevel = "debug") {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk).trim());
      done();
    },
  });
  return { lines, root: createRootLogger(level, sink), parsed: () => lines.map((line) => JSON.parse(line)) };
}

describe("the daemon's logger", () => {
  it("writes one JSON line per call: level, time, bindings, fields, then the message", () => {
    const { lines, root } = capture();
    root.child({ module: "relay" }).warn("tunnel t1 lost its mapping", { tunnel: "t1", attempt: 2 });
    root.info("AutoSTUN is serving", { url: "http://127.0.0.1:7878/" });
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0] ?? "{}");
    expect(Object.keys(first)).toEqual(["level", "time", "module", "tunnel", "attempt", "msg"]);
    expect(first).toMatchObject({ level: 40, module: "relay", msg: "tunnel t1 lost its mapping" });
    expect(JSON.parse(lines[1] ?? "{}")).toMatchObject({ level: 30, url: "http://127.0.0.1:7878/" });
  });

  it("writes a key the scope binds once, even when the call passes it again", () => {
    const { lines, root } = capture();
    root.child({ module: "relay", tunnel: "t1" }).info("tunnel t1: retrying", { tunnel: "t1", at: 3 });
    root.child({ module: "relay" }).child({ tunnel: "t2" }).child({ tunnel: "t2" }).info("again");
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.match(/"tunnel":/g)).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ module: "relay", tunnel: "t1", at: 3 });
  });

  it("changes the level of loggers scoped before the change too", () => {
    const { lines, root } = capture("info");
    const relay = root.child({ module: "relay" });
    relay.debug("hidden at info");
    root.setLevel("debug");
    expect(root.level).toBe("debug");
    relay.debug("shown at debug");
    root.setLevel("error");
    relay.warn("hidden at error");
    root.error("shown at error");
    root.setLevel("silent");
    relay.error("hidden when silent");
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(["shown at debug", "shown at error"]);
  });

  it("writes an error with its type, message and stack", () => {
    const { parsed, root } = capture();
    root.error("HTTP server error", {
      err: Object.assign(new Error("listen EADDRINUSE"), { code: "EADDRINUSE" }),
    });
    const [line] = parsed();
    expect(line.err).toMatchObject({ type: "Error", message: "listen EADDRINUSE", code: "EADDRINUSE" });
    expect(line.err.stack).toContain("listen EADDRINUSE");
  });
});

describe("redaction, the same for daemon and plugin lines", () => {
  it("hides values under secret-looking keys at any depth, root and scoped alike", () => {
    const { lines, root } = capture();
    const fields = {
      token: "tk-1",
      apiKey: "ak-2",
      headers: { authorization: "Bearer x-3", Cookie: "sid=c-4" },
      downloader: { username: "admin", password: "pw-5" },
      list: [{ secret: "s-6" }],
      tokenFile: "/var/lib/autostun/api-token",
      empty: { password: "" },
    };
    root.warn("from the daemon", fields);
    root.child({ module: "plugin:example" }).warn("from a plugin", fields);
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      for (const secret of ["tk-1", "ak-2", "x-3", "c-4", "pw-5", "s-6", "/var/lib/autostun/api-token"])
        expect(line).not.toContain(secret);
      expect(JSON.parse(line)).toMatchObject({
        token: "[redacted]",
        headers: { authorization: "[redacted]" },
        downloader: { username: "admin", password: "[redacted]" },
        empty: { password: "" },
      });
    }
  });

  it("takes user:password and query secrets out of URLs in messages, fields, errors and URL objects", () => {
    const { lines, root } = capture();
    const url = "http://admin:pw-1@127.0.0.1:6800/jsonrpc?token=tk-2&page=3";
    root.child({ module: "t" }).warn(`push to ${url} failed`, {
      error: `connect ECONNREFUSED ${url}`,
      nested: { where: [url] },
      err: new Error(`fetch ${url} failed`),
      target: new URL(url),
    });
    root.info(`direct ${url}`, { target: url });
    const text = lines.join("\n");
    for (const secret of ["pw-1", "tk-2"]) expect(text).not.toContain(secret);
    expect(text).toContain("token=REDACTED&page=3");
    expect(lines).toHaveLength(2);
  });

  it("leaves what it is given unchanged and stops at cycles", () => {
    const given: Record<string, unknown> = { password: "p", url: "http://u:p@h/" };
    given.self = given;
    const out = redactLogValue(given) as Record<string, unknown>;
    expect(given.password).toBe("p");
    expect(out).toMatchObject({ password: "[redacted]", url: "http://REDACTED:REDACTED@h/" });
    expect(JSON.stringify(out)).toContain("[too deep]");
  });
});
