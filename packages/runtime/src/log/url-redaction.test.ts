import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createRootLogger, scopedLogger } from "./logger.js";

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, root: createRootLogger("debug", sink) };
}

describe("URLs in log lines", () => {
  it("lose their query secrets and user:password, in messages and in fields at any depth", () => {
    const { lines, root } = capture();
    const url = "http://admin:pw-1@127.0.0.1:6800/jsonrpc?token=tk-2&page=3";
    scopedLogger(root, { module: "t" }).warn(`push to ${url} failed`, {
      error: `connect ECONNREFUSED ${url}`,
      nested: { where: [url] },
    });
    root.info({ target: url }, `direct ${url}`);
    const text = lines.join("");
    for (const secret of ["pw-1", "tk-2"]) expect(text).not.toContain(secret);
    expect(text).toContain("token=REDACTED&page=3");
    expect(lines).toHaveLength(2);
  });
});
