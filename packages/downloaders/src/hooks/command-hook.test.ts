import { describe, expect, it } from "vitest";
import { hookBaseEnvironment, runCommandHook } from "./command-hook.js";

describe("the environment of a command hook", () => {
  it("keeps the daemon's ordinary variables and drops every AUTOSTUN_ one", () => {
    expect(
      hookBaseEnvironment({ PATH: "/usr/bin", AUTOSTUN_API_TOKEN: "t", autostun_other: "1", HOME: "/root" }),
    ).toEqual({ PATH: "/usr/bin", HOME: "/root" });
  });

  it("hands the hook its own variables but not the daemon's token", async () => {
    const before = process.env.AUTOSTUN_API_TOKEN;
    process.env.AUTOSTUN_API_TOKEN = "daemon-token-1";
    try {
      const outcome = await runCommandHook(
        {
          argv: [
            process.execPath,
            "-e",
            "process.stderr.write(JSON.stringify([process.env.AUTOSTUN_API_TOKEN ?? null, process.env.AUTOSTUN_LISTEN_PORT])); process.exit(1)",
          ],
        },
        { AUTOSTUN_LISTEN_PORT: "6881" },
      );
      expect(JSON.parse(outcome.output ?? "")).toEqual([null, "6881"]);
    } finally {
      if (before === undefined) delete process.env.AUTOSTUN_API_TOKEN;
      else process.env.AUTOSTUN_API_TOKEN = before;
    }
  });
});
