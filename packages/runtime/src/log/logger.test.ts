import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createRootLogger, scopedLogger } from "./logger.js";

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk).trim());
      done();
    },
  });
  return { lines, root: createRootLogger("debug", sink) };
}

describe("scopedLogger", () => {
  it("writes a key the scope binds once, even when the call passes it again", () => {
    const { lines, root } = capture();
    scopedLogger(root, { module: "relay", tunnel: "t1" }).info("tunnel t1: retrying", {
      tunnel: "t1",
      at: 3,
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.match(/"tunnel":/g)).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ module: "relay", tunnel: "t1", at: 3 });
  });

  it("still redacts secrets among the fields it keeps", () => {
    const { lines, root } = capture();
    scopedLogger(root, { module: "hooks" }).warn("webhook failed", {
      headers: { authorization: "Bearer x" },
    });
    expect(lines[0]).not.toContain("Bearer x");
  });
});
