import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { captureLogger } from "../testing/loopback.js";
import { parseBanFile } from "./ban-file.js";
import { BanFileWatcher } from "./ban-file-watcher.js";
import { BanList } from "./ban-list.js";

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

describe("parseBanFile", () => {
  it("reads networks, takes a trailing comment as the reason, and reports bad lines by file:line", () => {
    const { bans, problems } = parseBanFile(
      "# leechers\n\n192.0.2.0/24   # fake client\n2001:db8::1\n300.1.1.1\n10.1.2.3/8\n",
      "/etc/bans.txt",
    );
    expect(bans).toEqual([
      { cidr: "192.0.2.0/24", reason: "fake client" },
      { cidr: "2001:db8::1/128", reason: null },
    ]);
    expect(problems.map((p) => p.where)).toEqual(["/etc/bans.txt:5", "/etc/bans.txt:6"]);
  });
});

describe("BanFileWatcher", () => {
  it("loads the file, follows an editor-style replace, and lifts its bans when it is deleted", async () => {
    const dir = await mkdtemp(join(tmpdir(), "relay-bans-"));
    const path = join(dir, "bans.txt");
    await writeFile(path, "192.0.2.0/24\nnonsense\n");
    const bans = new BanList();
    const logger = captureLogger();
    const watcher = new BanFileWatcher({ path, bans, logger, debounceMs: 50 });
    stops.push(
      () => watcher.stop(),
      () => bans.dispose(),
    );
    const first = await watcher.start();
    expect(first).toMatchObject({ found: true, total: 1, added: 1 });
    expect(logger.lines.some((line) => line.message.startsWith(`${path}:2: skipped`))).toBe(true);
    expect(bans.match("192.0.2.9")?.source).toBe(`file:${path}`);

    // Write elsewhere, then rename over: a new inode, as editors and `mv` produce.
    await writeFile(join(dir, "bans.tmp"), "198.51.100.0/24 # from the new list\n");
    await rename(join(dir, "bans.tmp"), path);
    await vi.waitFor(() => expect(bans.match("198.51.100.1")?.reason).toBe("from the new list"), {
      timeout: 5000,
    });
    expect(bans.match("192.0.2.9")).toBeUndefined();

    // An API ban is not the file's to lift.
    await bans.ban({ cidr: "203.0.113.0/24" });
    await rm(path);
    await vi.waitFor(() => expect(bans.match("198.51.100.1")).toBeUndefined(), { timeout: 5000 });
    expect(bans.match("203.0.113.1")).toBeDefined();
  });

  it("applies an edit made while the previous reload still waits for a tunnel to enforce it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "relay-bans-"));
    const path = join(dir, "bans.txt");
    await writeFile(path, "");
    const bans = new BanList();
    const watcher = new BanFileWatcher({ path, bans, debounceMs: 50 });
    stops.push(
      () => watcher.stop(),
      () => bans.dispose(),
    );
    await watcher.start();
    // A tunnel whose nft run is held until the test lets it go; later runs answer at once.
    let release: (() => void) | undefined;
    let held = true;
    bans.addEnforcer({
      name: "slow",
      enforce: () =>
        held
          ? new Promise<void>((resolve) => {
              release = resolve;
            })
          : Promise.resolve(),
    });

    await writeFile(path, "198.51.100.0/24\n");
    await vi.waitFor(() => expect(release).toBeDefined(), { timeout: 5000 });
    // Edited while that reload waits: its watcher event joins the read under way, which saw the old text.
    await writeFile(path, "203.0.113.0/24\n");
    await new Promise((resolve) => setTimeout(resolve, 500));
    held = false;
    release?.();

    await vi.waitFor(() => expect(bans.match("203.0.113.1")?.source).toBe(`file:${path}`), { timeout: 5000 });
    expect(bans.match("198.51.100.1")).toBeUndefined();
  });

  it("brings nothing back from a read that was under way when it stopped (a reload swapped the file)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "relay-bans-"));
    const path = join(dir, "bans.txt");
    await writeFile(path, "192.0.2.0/24\n");
    const bans = new BanList();
    const watcher = new BanFileWatcher({ path, bans, debounceMs: 50 });
    stops.push(() => bans.dispose());
    await watcher.start();
    expect(bans.match("192.0.2.1")?.source).toBe(`file:${path}`);

    // A read starts (an edit's reload), then the daemon swaps files as a config reload does: stop the
    // watcher and lift the old file's bans while that read is still reading.
    const underWay = watcher.reload();
    watcher.stop();
    await bans.replaceSource(`file:${path}`, []);
    expect(await underWay).toMatchObject({ added: 0, total: 0 });
    expect(bans.match("192.0.2.1")).toBeUndefined();
  });
});
