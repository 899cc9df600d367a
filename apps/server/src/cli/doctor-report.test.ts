import type { CheckState } from "@autostun/extension-host";
import { engineText } from "@autostun/extension-host";
import { describe, expect, it } from "vitest";
import { toTextReport } from "./doctor-report.js";

function state(id: string, status: CheckState["status"], summary: CheckState["summary"]): CheckState {
  return { id, title: id, category: "test", dependsOn: [], extensionId: "t", status, summary, facts: {} };
}

describe("the doctor report", () => {
  const states = [
    state("port.open", "FAIL", "port 6881 is closed"),
    state("broken.check", "ERROR", engineText("timeout", { ms: 300 })),
  ];

  it("marks a check that broke differently from one that failed, as flutter doctor marks a crash", () => {
    const lines = toTextReport(states, "en", false).split("\n");
    expect(lines).toContain("[✗] port.open: port 6881 is closed");
    expect(lines).toContain(
      "[☠] broken.check (the check itself broke): the check did not finish within 300 ms and was stopped",
    );
  });

  it("prints the engine's own words in the terminal's language", () => {
    const lines = toTextReport(states, "zh-CN", false).split("\n");
    expect(lines).toContain("[☠] broken.check (检查本身出错): 检查在 300 毫秒内没有完成，已被中止");
  });
});
