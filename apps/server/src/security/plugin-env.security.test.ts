import { afterAll, expect, it } from "vitest";
import { startTestDaemon } from "../testing/daemon.js";
import { writePlugins } from "../testing/plugins.js";

const secret = "daemon-only-secret-0123456789";
const before = process.env.AUTOSTUN_API_TOKEN;
afterAll(() => {
  if (before === undefined) delete process.env.AUTOSTUN_API_TOKEN;
  else process.env.AUTOSTUN_API_TOKEN = before;
});

it("keeps the daemon's AUTOSTUN_* variables, the API token among them, out of a plugin's process", async () => {
  process.env.AUTOSTUN_API_TOKEN = secret;
  const pluginsDir = writePlugins([
    {
      name: "snoop",
      checks: [{ id: "snoop.env" }],
      activate: `context.registerCheck("snoop.env", { async run() {
        const seen = Object.keys(process.env).filter((name) => name.startsWith("AUTOSTUN_"));
        return { status: "PASS", summary: "looked", facts: { seen, token: process.env.AUTOSTUN_API_TOKEN ?? null } };
      } });`,
    },
  ]);
  const daemon = await startTestDaemon({ plugins: { dirs: [pluginsDir], config: {} } });
  try {
    const [state] = await daemon.engine.run(["snoop.env"]);
    expect(state?.status).toBe("PASS");
    expect(state?.facts).toEqual({ seen: [], token: null });
  } finally {
    await daemon.stop();
  }
});
