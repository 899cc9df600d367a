import { parseIp } from "@autostun/ip";
import type { CommandResult, CommandRunner } from "@autostun/plugins-api";
import { afterEach, describe, expect, test } from "vitest";
import { BanList } from "../bans/ban-list.js";
import { NftablesForwarding } from "./nftables-forwarding.js";
import { NftablesTable } from "./nftables-table.js";

interface HeldRun {
  file: string;
  args: readonly string[];
  input: string;
  answer: (result?: Partial<CommandResult>) => void;
}

/**
 * An nft and ss that answer only when the test says so, so the test can see what a ban call waits for.
 * Loading and removing the whole table (tunnel start and stop) answer at once; reading it finds none.
 */
function heldRunner() {
  const held: HeldRun[] = [];
  const waiting: ((run: HeldRun) => void)[] = [];
  const runner: CommandRunner = {
    run(file, args, options) {
      const input = String(options?.input ?? "");
      if (file === "sysctl") return Promise.resolve({ exitCode: 0, stdout: "1\n", stderr: "" });
      if (file === "ip") return Promise.resolve({ exitCode: 1, stdout: "", stderr: "not in this test" });
      if (file === "nft" && args.includes("list"))
        return Promise.resolve({ exitCode: 1, stdout: "", stderr: "Error: No such file or directory" });
      // Held: ban-set updates and ss. Loads and removals of the whole table answer at once.
      if (file === "nft" && !/^(add element|flush set)/.test(input))
        return Promise.resolve({ exitCode: 0, stdout: "", stderr: "" });
      return new Promise((resolve) => {
        const run: HeldRun = {
          file,
          args,
          input,
          answer: (result = {}) => resolve({ exitCode: 0, stdout: "", stderr: "", ...result }),
        };
        const next = waiting.shift();
        if (next) next(run);
        else held.push(run);
      });
    },
  };
  /** The next command the code under test started (already started, or the next one to start). */
  const next = (): Promise<HeldRun> =>
    new Promise((resolve) => {
      const run = held.shift();
      if (run) resolve(run);
      else waiting.push(resolve);
    });
  return { runner, next, held };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function nftablesTunnel(
  id: string,
  bans: BanList,
  runner: CommandRunner,
  table = new NftablesTable(runner),
) {
  const forwarding = new NftablesForwarding({
    tunnelId: id,
    to: {
      target: {
        tunnelId: id,
        text: "127.0.0.1:6881",
        host: "127.0.0.1",
        port: 6881,
        ip: parseIp("127.0.0.1")!,
        scope: "loopback",
      },
    },
    table,
    runner,
    bans,
    platform: "linux",
    localAddresses: () => [],
  });
  await forwarding.start(40_000);
  cleanups.push(() => forwarding.stop().catch(() => {}));
  return forwarding;
}

/** Settles pending promise callbacks, so a call that would resolve without its command has done so. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("a ban is in force on an nftables tunnel when the ban call answers", () => {
  test("ban resolves only after nft put the network in the tunnel's set and ss cut its live connections", async () => {
    const { runner, next } = heldRunner();
    const bans = new BanList();
    cleanups.push(() => bans.dispose());
    await nftablesTunnel("qb", bans, runner);

    let answered = false;
    const banning = bans.ban({ cidr: "203.0.113.7", reason: "leech" }).then((outcome) => {
      answered = true;
      return outcome;
    });
    const nft = await next();
    expect(nft.file).toBe("nft");
    expect(nft.input).toMatch(/add element inet autostun \S+_banh \{ 203\.0\.113\.7 \}/);
    await settle();
    expect(answered).toBe(false);
    nft.answer();

    const ss = await next();
    expect([ss.file, ...ss.args].join(" ")).toBe("ss -K -H -tn ( dst 203.0.113.7/32 ) and sport = :6881");
    await settle();
    expect(answered).toBe(false);
    ss.answer({ stdout: "ESTAB 0 0 127.0.0.1:6881 203.0.113.7:51413\n" });
    expect(await banning).toMatchObject({ ban: { cidr: "203.0.113.7/32" }, notApplied: [] });

    let unanswered = true;
    const unbanning = bans.unban("203.0.113.7").finally(() => {
      unanswered = false;
    });
    const lift = await next();
    expect(lift.input).toMatch(/delete element inet autostun \S+_banh \{ 203\.0\.113\.7 \}/);
    await settle();
    expect(unanswered).toBe(true);
    lift.answer();
    expect(await unbanning).toEqual({ removed: true, notApplied: [] });
  });

  test("a tunnel whose nft fails is named with nft's reason; the ban is kept and the other tunnel has it", async () => {
    const { runner, next } = heldRunner();
    const bans = new BanList();
    cleanups.push(() => bans.dispose());
    const table = new NftablesTable(runner);
    await nftablesTunnel("good", bans, runner, table);
    await nftablesTunnel("broken", bans, runner, table);

    const banning = bans.ban({ cidr: "198.51.100.0/24" });
    for (let i = 0; i < 3; i++) {
      const run = await next();
      if (run.file === "ss") run.answer();
      else if (/ban_broken|broken/.test(run.input))
        run.answer({ exitCode: 1, stderr: "Error: No such file or directory; did you mean set 'x'?" });
      else run.answer();
    }
    const outcome = await banning;
    expect(outcome.notApplied).toEqual([
      {
        enforcer: "broken",
        error: expect.stringMatching(/ban set was not updated: .*No such file or directory/),
      },
    ]);
    expect(bans.match("198.51.100.9")?.cidr).toBe("198.51.100.0/24");
  });

  test("200 bans sent at once take a couple of nft runs, not 200, and every one answers after its run", async () => {
    const { runner, next, held } = heldRunner();
    const bans = new BanList();
    cleanups.push(() => bans.dispose());
    const tunnel = await nftablesTunnel("qb", bans, runner);

    // As requests arrive over HTTP: the first one's update is already running when the others come.
    const calls = [bans.ban({ cidr: "192.0.2.0" })];
    const first = await next();
    calls.push(...Array.from({ length: 199 }, (_, i) => bans.ban({ cidr: `192.0.2.${i + 1}` })));
    expect(first.input.match(/192\.0\.2\./g)).toHaveLength(1);
    first.answer();
    (await next()).answer(); // its ss
    const second = await next();
    expect(second.input.match(/192\.0\.2\./g)).toHaveLength(199);
    second.answer();
    const cut = await next();
    expect(cut.args.filter((arg) => arg === "dst")).toHaveLength(199);
    cut.answer();
    const outcomes = await Promise.all(calls);
    expect(outcomes.every((outcome) => outcome.notApplied.length === 0)).toBe(true);
    expect(tunnel.banRuns).toEqual({ nft: 2, ss: 2 });
    expect(held).toHaveLength(0);
  });

  test("a host inside a banned range leaves the host set while the range holds it, and returns after", async () => {
    const { runner, next } = heldRunner();
    const bans = new BanList();
    cleanups.push(() => bans.dispose());
    await nftablesTunnel("qb", bans, runner);

    const host = bans.ban({ cidr: "203.0.113.7" });
    (await next()).answer();
    (await next()).answer();
    await host;
    // Hosts and ranges live in different sets, so the range taking over is one plain transaction.
    const range = bans.ban({ cidr: "203.0.113.0/24" });
    const widen = await next();
    expect(widen.input).toMatch(
      /^add element \S+ \S+ \S+_banh \{ 203\.0\.113\.7 \}\ndelete element \S+ \S+ \S+_banh \{ 203\.0\.113\.7 \}\nadd element \S+ \S+ \S+_ban \{ 203\.0\.113\.0\/24 \}\n$/,
    );
    widen.answer();
    (await next()).answer();
    await range;
    const lift = bans.unban("203.0.113.0/24");
    const narrow = await next();
    expect(narrow.input).toMatch(/^add element \S+ \S+ \S+_banh \{ 203\.0\.113\.7 \}\n/);
    expect(narrow.input).toMatch(/delete element \S+ \S+ \S+_ban \{ 203\.0\.113\.0\/24 \}\n$/);
    expect(narrow.input).not.toMatch(/flush/);
    narrow.answer();
    (await next()).answer();
    expect((await lift).notApplied).toEqual([]);
  });

  test("a range replaced by a wider one rewrites the range set whole, and only that set", async () => {
    const { runner, next } = heldRunner();
    const bans = new BanList();
    cleanups.push(() => bans.dispose());
    await nftablesTunnel("qb", bans, runner);
    const narrow = bans.ban({ cidr: "198.51.100.0/25" });
    (await next()).answer();
    (await next()).answer();
    await narrow;
    const wide = bans.ban({ cidr: "198.51.100.0/24" });
    const rewrite = await next();
    expect(rewrite.input).toMatch(
      /^flush set \S+ \S+ \S+_ban\nadd element \S+ \S+ \S+_ban \{ 198\.51\.100\.0\/24 \}\n$/,
    );
    rewrite.answer();
    (await next()).answer();
    await wide;
  });

  test("a ban-list file reload is one nft run for all its lines, answered after it", async () => {
    const { runner, next } = heldRunner();
    const bans = new BanList();
    cleanups.push(() => bans.dispose());
    const tunnel = await nftablesTunnel("qb", bans, runner);
    let done = false;
    const reload = bans
      .replaceSource("file:/bans.txt", [
        { cidr: "198.51.100.1" },
        { cidr: "198.51.100.2" },
        { cidr: "2001:db8::/32" },
      ])
      .finally(() => {
        done = true;
      });
    const nft = await next();
    expect(nft.input).toMatch(/_banh \{ 198\.51\.100\.1, 198\.51\.100\.2 \}/);
    await settle();
    expect(done).toBe(false);
    nft.answer();
    (await next()).answer();
    expect(await reload).toMatchObject({ added: 3, removed: 0, notApplied: [] });
    expect(tunnel.banRuns).toEqual({ nft: 1, ss: 1 });
  });

  test("an expired ban leaves the kernel's set on its own, without a caller", async () => {
    const { runner, next } = heldRunner();
    const bans = new BanList();
    cleanups.push(() => bans.dispose());
    await nftablesTunnel("qb", bans, runner);
    const banning = bans.ban({ cidr: "192.0.2.44", ttlSeconds: 0.2 });
    const add = await next();
    expect(add.input).toMatch(/_banh \{ 192\.0\.2\.44 timeout 1s \}/);
    add.answer();
    (await next()).answer();
    await banning;
    const expiry = await next();
    expect(expiry.input).toMatch(/delete element inet autostun \S+_banh \{ 192\.0\.2\.44 \}/);
    expiry.answer();
    expect(bans.list()).toEqual([]);
  });
});
