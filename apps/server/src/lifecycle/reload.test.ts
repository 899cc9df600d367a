import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { loadConfig } from "@autostun/config";
import { createRootLogger } from "@autostun/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Daemon, startDaemon } from "../daemon.js";
import { gql, gqlUntil } from "../relay/testing/graphql-client.js";
import { type LoopbackServices, Peer, startLoopbackServices } from "../relay/testing/loopback-services.js";
import { rawRequest } from "../security/testing/clients.js";
import { rememberToken } from "../testing/known-tokens.js";

/**
 * Reloading a real daemon's config file on loopback: our STUN server, two echo services, two tunnels
 * with live peers. What must hold: a bad file changes nothing, a changed tunnel restarts alone, and the
 * answer says what applied and what waits for a restart.
 */

type Row = { id: string; state: string; recoveryCount: number; publicAddress: { port: number } | null };
const TUNNELS = "{ tunnels { id state recoveryCount publicAddress { port } } }";

let services: LoopbackServices;
let other: { server: Server; address: string };
let dir: string;
let file: string;
let daemon: Daemon;
const logs: string[] = [];

/** A second echo service that tags its answers, so a test can tell which target a peer reached. */
async function taggedEcho(tag: string): Promise<{ server: Server; address: string }> {
  const server = createServer((socket) => {
    socket.on("error", () => {});
    socket.on("data", (chunk) => socket.write(`${tag}${chunk.toString()}`));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { server, address: `127.0.0.1:${port}` };
}

function yaml(tunnels: string, extra = ""): string {
  return [
    `dataDir: ${JSON.stringify(join(dir, "data"))}`,
    `api: { listen: "127.0.0.1:0" }`,
    `stun: { udp: [], tcp: ["${services.stun}"] }`,
    `keepalive: { target: "${services.keepalive}", intervalSeconds: 10 }`,
    "checks: { intervalSeconds: 0, runOnStart: false }",
    "plugins: { dirs: [] }",
    extra,
    "tunnels:",
    tunnels,
  ].join("\n");
}

const tunnelA = () => `  - { id: a, target: "${services.echo}" }`;
const tunnelB = (target: string) => `  - id: b\n    target: "${target}"`;

async function tunnels(): Promise<Map<string, Row>> {
  const data = await gqlUntil<{ tunnels: Row[] }>(daemon.url, TUNNELS, (d) =>
    d.tunnels.every((t) => t.state === "OPEN"),
  );
  return new Map(data.tunnels.map((t) => [t.id, t]));
}

async function peerOn(id: string, from: string): Promise<Peer> {
  const port = (await tunnels()).get(id)?.publicAddress?.port as number;
  const peer = await Peer.connect(port, from);
  expect(await peer.echo(`hello ${id}`)).toBe(true);
  return peer;
}

beforeAll(async () => {
  services = await startLoopbackServices();
  other = await taggedEcho("other:");
  dir = mkdtempSync(join(tmpdir(), "autostun-reload-"));
  file = join(dir, "autostun.yaml");
  writeFileSync(file, yaml(`${tunnelA()}\n${tunnelB(services.echo)}`));
  const load = () => loadConfig({ file, env: {} }).config;
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  daemon = await startDaemon(load(), createRootLogger("info", sink), undefined, { reload: { load, file } });
  rememberToken(daemon.url, daemon.token);
});
afterAll(async () => {
  await daemon?.stop();
  await services?.close();
  other?.server.close();
});

describe("reloading the config file", () => {
  it("refuses a file that does not validate, naming key and line, and keeps both tunnels and their peers", async () => {
    const before = await tunnels();
    const peerA = await peerOn("a", "127.0.0.21");
    const peerB = await peerOn("b", "127.0.0.22");
    writeFileSync(file, yaml(`${tunnelA()}\n${tunnelB("not an address")}`));

    const result = await daemon.reload();
    expect(result.status).toBe("REFUSED");
    expect(result.problems).toEqual([
      expect.objectContaining({ key: "tunnels[1].target", source: `${file}:11` }),
    ]);
    expect(result.tunnels).toEqual({ started: [], stopped: [], restarted: [], unchanged: [] });
    expect(logs.join("")).toContain("configuration reload refused");

    expect(await peerA.echo("still a")).toBe(true);
    expect(await peerB.echo("still b")).toBe(true);
    const after = await tunnels();
    for (const id of ["a", "b"]) {
      expect(after.get(id)?.publicAddress).toEqual(before.get(id)?.publicAddress);
      expect(after.get(id)?.recoveryCount).toBe(before.get(id)?.recoveryCount);
    }
    peerA.socket.destroy();
    peerB.socket.destroy();
  });

  it("refuses a tunnel whose target is on the internet and changes nothing", async () => {
    const peerB = await peerOn("b", "127.0.0.23");
    writeFileSync(file, yaml(`${tunnelA()}\n${tunnelB("203.0.113.7:80")}`));
    const result = await daemon.reload();
    expect(result.status).toBe("REFUSED");
    expect(result.problems[0]?.key).toBe("tunnels[1]");
    expect(result.problems[0]?.message).toMatch(/203\.0\.113\.7/);
    expect(await peerB.echo("b after the refusal")).toBe(true);
    peerB.socket.destroy();
  });

  it("restarts only the tunnel whose settings changed; the other keeps its live connection", async () => {
    const before = await tunnels();
    const peerA = await peerOn("a", "127.0.0.24");
    const peerB = await peerOn("b", "127.0.0.25");
    writeFileSync(file, yaml(`${tunnelA()}\n${tunnelB(other.address)}`));

    const result = await daemon.reload();
    expect(result.status).toBe("APPLIED");
    expect(result.applied).toEqual(["tunnels"]);
    expect(result.tunnels).toEqual({ started: [], stopped: [], restarted: ["b"], unchanged: ["a"] });

    expect(await peerA.echo("a through the reload")).toBe(true);
    await peerB.closed;
    const after = await tunnels();
    expect(after.get("a")?.publicAddress).toEqual(before.get("a")?.publicAddress);
    expect(after.get("a")?.recoveryCount).toBe(before.get("a")?.recoveryCount);
    const newB = await Peer.connect(after.get("b")?.publicAddress?.port as number, "127.0.0.26");
    expect(await newB.echo("b's new target")).toBe(true);
    expect(newB.received).toContain("other:b's new target");
    peerA.socket.destroy();
    newB.socket.destroy();
  });

  it("starts an added tunnel and stops a removed one", async () => {
    writeFileSync(file, yaml(`${tunnelA()}\n  - { id: c, target: "${services.echo}" }`));
    const result = await daemon.reload();
    expect(result.tunnels).toEqual({ started: ["c"], stopped: ["b"], restarted: [], unchanged: ["a"] });
    const after = await tunnels();
    expect([...after.keys()].sort()).toEqual(["a", "c"]);
  });

  it("applies allowed origins at once and names the keys that need a restart", async () => {
    const origin = "https://dash.example";
    const ask = () =>
      rawRequest(daemon.url, {
        method: "POST",
        path: "/graphql",
        headers: { origin, authorization: `Bearer ${daemon.token}` },
        body: JSON.stringify({ query: "{ bans { cidr } }" }),
      });
    const refused = await ask();
    expect(refused.status).toBe(403);
    const tunnelsNow = `${tunnelA()}\n  - { id: c, target: "${services.echo}" }`;
    writeFileSync(
      file,
      yaml(tunnelsNow, "").replace(
        'api: { listen: "127.0.0.1:0" }',
        `api: { listen: "127.0.0.1:7999", corsOrigins: ["${origin}"] }`,
      ),
    );
    const result = await daemon.reload();
    expect(result.status).toBe("APPLIED");
    expect(result.applied).toEqual(["api.corsOrigins"]);
    expect(result.needsRestart).toEqual(["api.listen"]);
    expect(result.tunnels.unchanged.sort()).toEqual(["a", "c"]);
    const allowed = await ask();
    expect(allowed.status).toBe(200);
    expect(allowed.headers["access-control-allow-origin"]).toBe(origin);

    // Reloading the same file again still reports the listen address, which has not changed yet.
    const again = await daemon.reload();
    expect(again.status).toBe("APPLIED");
    expect(again.applied).toEqual([]);
    expect(again.needsRestart).toEqual(["api.listen"]);
  });

  it("answers Mutation.reloadConfig in the caller's language, and loads a new ban-list file", async () => {
    const bans = join(dir, "bans.txt");
    writeFileSync(bans, "198.51.100.0/24 # from the list\n");
    const current = `${tunnelA()}\n  - { id: c, target: "${services.echo}" }`;
    writeFileSync(file, yaml(current, `bans: { file: ${JSON.stringify(bans)} }`));
    const response = await fetch(new URL("graphql", daemon.url), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-autostun-locale": "zh-CN",
        authorization: `Bearer ${daemon.token}`,
      },
      body: JSON.stringify({
        query: "mutation { reloadConfig { status message applied tunnels { unchanged } problems { key } } }",
      }),
    });
    const answer = (await response.json()) as {
      data: {
        reloadConfig: {
          status: string;
          message: string;
          applied: string[];
          tunnels: { unchanged: string[] };
        };
      };
    };
    expect(answer.data.reloadConfig.status).toBe("APPLIED");
    // The file no longer lists the extra origin of the previous test, so that changes back too.
    expect(answer.data.reloadConfig.applied).toEqual(["api.corsOrigins", "bans.file"]);
    expect(answer.data.reloadConfig.message).toContain("已从");
    const listed = await gql<{ bans: { cidr: string; source: string }[] }>(
      daemon.url,
      "{ bans { cidr source } }",
    );
    expect(listed.data?.bans).toContainEqual({ cidr: "198.51.100.0/24", source: `file:${bans}` });
  });

  it("restarts every tunnel when what they punch with changes; applies the schedule; refuses a GeoIP file that does not open", async () => {
    const current = yaml(`${tunnelA()}\n  - { id: c, target: "${services.echo}" }`);
    writeFileSync(file, current.replace("intervalSeconds: 10 }", "intervalSeconds: 11 }"));
    const punch = await daemon.reload();
    expect(punch.status).toBe("APPLIED");
    expect(punch.applied).toContain("keepalive");
    expect(punch.tunnels.restarted.sort()).toEqual(["a", "c"]);
    expect([...(await tunnels()).keys()].sort()).toEqual(["a", "c"]);

    const withPunch = current.replace("intervalSeconds: 10 }", "intervalSeconds: 11 }");
    writeFileSync(file, withPunch.replace("intervalSeconds: 0,", "intervalSeconds: 600,"));
    const schedule = await daemon.reload();
    expect(schedule.applied).toEqual(["checks.intervalSeconds"]);
    expect(schedule.tunnels.unchanged.sort()).toEqual(["a", "c"]);

    const peer = await peerOn("a", "127.0.0.27");
    writeFileSync(file, `${withPunch}\ngeoip: { city: ${JSON.stringify(join(dir, "missing.mmdb"))} }`);
    const geo = await daemon.reload();
    expect(geo.status).toBe("REFUSED");
    expect(geo.problems[0]?.key).toBe("geoip");
    expect(geo.problems[0]?.message).toMatch(/missing\.mmdb/);
    expect(await peer.echo("a after the refused GeoIP file")).toBe(true);
    peer.socket.destroy();
  });

  it("applies log.level at once, to the parts that made their loggers at start too", async () => {
    const parsed = () => logs.flatMap((chunk) => chunk.trim().split("\n")).map((line) => JSON.parse(line));
    // At info, the relay (its logger scoped at start) has written info lines, e.g. for started tunnels.
    expect(parsed().some((line) => line.level === 30 && line.module === "relay")).toBe(true);
    const current = yaml(`${tunnelA()}\n  - { id: c, target: "${services.echo}" }`).replace(
      "intervalSeconds: 10 }",
      "intervalSeconds: 11 }",
    );
    writeFileSync(file, `${current}\nlog: { level: warn }`);
    const quiet = await daemon.reload();
    expect(quiet.applied).toContain("log.level");
    const before = logs.length;
    writeFileSync(file, `${current.replace(`  - { id: c`, `  - { id: d`)}\nlog: { level: warn }`);
    const moved = await daemon.reload();
    expect(moved.tunnels).toMatchObject({ started: ["d"], stopped: ["c"] });
    await tunnels();
    const after = logs.slice(before).map((line) => JSON.parse(line));
    expect(after.filter((line) => line.level < 40)).toEqual([]);
  });
});
