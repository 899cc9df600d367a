import { describe, expect, it } from "vitest";
import { getOtherAddress } from "../message/accessors.js";
import { UdpStunClient } from "../transport/udp-client.js";
import { parseStunServerArgs, runStunServerCli } from "./cli.js";

describe("stun-server CLI", () => {
  it("starts from arguments, prints endpoints as JSON, serves, and stops when told", async () => {
    const controller = new AbortController();
    const lines: string[] = [];
    const ready = new Promise<void>((resolve) => {
      void runStunServerCli(
        ["--primary", "127.0.0.1", "--alternate", "127.0.0.2", "--port", "0", "--alt-port", "0", "--json"],
        {
          stdout: (l) => lines.push(l),
          stderr: (l) => lines.push(l),
          signal: controller.signal,
          onReady: () => resolve(),
        },
      ).then((code) => lines.push(`exit ${code}`));
    });
    await ready;
    const printed = JSON.parse(lines[0]!) as {
      ready: boolean;
      endpoints: { transport: string; address: string; port: number }[];
    };
    expect(printed.ready).toBe(true);
    expect(printed.endpoints).toHaveLength(8);
    const target = printed.endpoints.find((e) => e.transport === "udp")!;
    const client = await UdpStunClient.open();
    const reply = await client.request(target, { rto: 50 });
    expect(getOtherAddress(reply.message)?.address).toBe("127.0.0.2");
    controller.abort();
    await expect.poll(() => lines.at(-1)).toBe("exit 0");
    await expect(client.request(target, { rto: 10, maxSends: 2, lastWaitFactor: 2 })).rejects.toMatchObject({
      code: "TIMEOUT",
    });
    await client.close();
  });

  it("explains bad usage with exit code 2 and a failed start with 1", async () => {
    const errors: string[] = [];
    const io = { stdout: () => undefined, stderr: (l: string) => errors.push(l) };
    expect(await runStunServerCli(["--port", "x"], io)).toBe(2);
    expect(errors[0]).toMatch(/--port needs a port 0\.\.65535, got x/);
    expect(await runStunServerCli(["--alternate", "127.0.0.2"], io)).toBe(2);
    expect(errors.join("\n")).toMatch(/--primary is required/);
    expect(await runStunServerCli(["--primary", "192.0.2.55", "--port", "0"], io)).toBe(1);
    expect(errors.at(-1)).toMatch(/cannot start STUN server on 192\.0\.2\.55/);
    expect(parseStunServerArgs(["--primary", "::1", "--no-tcp", "--lie-about-change-request"])).toEqual({
      ok: true,
      json: false,
      options: { primary: "::1", tcp: false, lieAboutChangeRequest: true },
    });
  });
});
