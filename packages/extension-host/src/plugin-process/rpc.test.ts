import { describe, expect, it } from "vitest";
import { TO_DAEMON, TO_PLUGIN, type ToDaemon, type ToPlugin } from "./protocol.js";
import { RpcChannel, type RpcMessage } from "./rpc.js";

/** The two ends of the plugin protocol, joined back to back through JSON, as Node's IPC carries it. */
function pair() {
  const problems: string[] = [];
  const wire = (to: () => { receive(message: unknown): void }) => (message: RpcMessage) =>
    queueMicrotask(() => to().receive(JSON.parse(JSON.stringify(message))));
  const daemon: RpcChannel<ToPlugin, ToDaemon> = new RpcChannel(
    wire(() => plugin),
    { sends: TO_PLUGIN, receives: TO_DAEMON, onProblem: (problem) => problems.push(`daemon: ${problem}`) },
  );
  const plugin: RpcChannel<ToDaemon, ToPlugin> = new RpcChannel(
    wire(() => daemon),
    { sends: TO_DAEMON, receives: TO_PLUGIN, onProblem: (problem) => problems.push(`plugin: ${problem}`) },
  );
  return { daemon, plugin, problems };
}

describe("the plugin RPC", () => {
  it("answers a request with the method's result type, and delivers notifications", async () => {
    const { daemon, plugin } = pair();
    plugin.handle("remedy.apply", ({ checkId, remedyId }) => ({
      ok: true,
      message: `${checkId}/${remedyId}`,
    }));
    const registered: string[] = [];
    daemon.onNote("register", ({ kind, id }) => registered.push(`${kind} ${id}`));
    const outcome = await daemon.request("remedy.apply", { checkId: "a.b", remedyId: "fix", scope: 1 });
    expect(outcome).toEqual({ ok: true, message: "a.b/fix" });
    plugin.notify("register", { kind: "gatherer", id: "a.facts" });
    await expect.poll(() => registered).toEqual(["gatherer a.facts"]);
  });

  it("refuses params that do not fit the method before the handler sees them", async () => {
    // The other end is raw messages here: a plugin's process may send anything.
    const sent: RpcMessage[] = [];
    const daemon: RpcChannel<ToPlugin, ToDaemon> = new RpcChannel((message) => sent.push(message), {
      sends: TO_PLUGIN,
      receives: TO_DAEMON,
    });
    let called = false;
    daemon.handle("gather", () => {
      called = true;
      return 1;
    });
    daemon.receive({ t: "req", id: 7, method: "gather", params: { scope: "one", gathererId: "a.facts" } });
    await expect
      .poll(() => sent)
      .toEqual([{ t: "res", id: 7, error: "the params of gather do not fit the protocol" }]);
    expect(called).toBe(false);
  });

  it("rejects an answer that does not fit the method's result, naming the request", async () => {
    const daemon: RpcChannel<ToPlugin, ToDaemon> = new RpcChannel(
      (message) => {
        if (message.t === "req")
          queueMicrotask(() => daemon.receive({ t: "res", id: message.id, value: "done" }));
      },
      { sends: TO_PLUGIN, receives: TO_DAEMON },
    );
    await expect(daemon.request("deactivate", {}, { label: "deactivate()" })).rejects.toThrow(
      "the answer to deactivate() does not fit the protocol",
    );
  });

  it("reports a notification that does not fit, and keeps serving", async () => {
    const { daemon, problems } = pair();
    daemon.onNote("log", () => undefined);
    daemon.receive({ t: "note", method: "log", params: { level: "loud", message: 1 } });
    daemon.receive({ t: "note", method: "nope", params: {} });
    expect(problems).toEqual([
      "daemon: handling log failed: its params do not fit the protocol",
      'daemon: received an unknown notification "nope"',
    ]);
  });
});
