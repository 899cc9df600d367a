import { describe, expect, it } from "vitest";
import { DisposableStore, toDisposable } from "./disposable.js";

describe("DisposableStore", () => {
  it("releases everything it holds, the last added first, and only once", () => {
    const order: string[] = [];
    const store = new DisposableStore();
    store.add(() => void order.push("first"));
    store.add(toDisposable(() => void order.push("second")));
    store.add({ dispose: () => void order.push("third") });
    expect(store.dispose()).toBeUndefined();
    store.dispose();
    expect(order).toEqual(["third", "second", "first"]);
    expect(store.isDisposed).toBe(true);
  });

  it("keeps going past a disposer that throws and reports each failure", () => {
    const order: string[] = [];
    const reported: unknown[] = [];
    const store = new DisposableStore((error) => reported.push(error));
    store.add(() => void order.push("first"));
    store.add(() => {
      throw new Error("socket already closed");
    });
    store.add(() => void order.push("third"));
    store.dispose();
    expect(order).toEqual(["third", "first"]);
    expect(reported.map((error) => (error as Error).message)).toEqual(["socket already closed"]);
  });

  it("without a reporter, throws all failures together after releasing the rest", () => {
    const order: string[] = [];
    const store = new DisposableStore();
    store.add(() => {
      throw new Error("a");
    });
    store.add(() => void order.push("kept going"));
    store.add(() => {
      throw new Error("b");
    });
    let thrown: unknown;
    try {
      store.dispose();
    } catch (error) {
      thrown = error;
    }
    expect(order).toEqual(["kept going"]);
    expect(thrown).toBeInstanceOf(AggregateError);
    expect((thrown as AggregateError).errors.map((error: Error) => error.message)).toEqual(["b", "a"]);
  });

  it("waits for an asynchronous disposer before the next one, and reports a rejection", async () => {
    const order: string[] = [];
    const reported: unknown[] = [];
    const store = new DisposableStore((error) => reported.push(error));
    store.add(() => void order.push("database closed"));
    store.add(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push("server closed");
      throw new Error("close timed out");
    });
    store.add(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      order.push("peers closed");
    });
    const first = store.dispose();
    expect(first).toBeInstanceOf(Promise);
    expect(store.dispose()).toBe(first);
    await first;
    expect(order).toEqual(["peers closed", "server closed", "database closed"]);
    expect(reported.map((error) => (error as Error).message)).toEqual(["close timed out"]);
  });

  it("rejects with the failures when asynchronous disposers fail and nobody listens for reports", async () => {
    const store = new DisposableStore();
    store.add(async () => {
      throw new Error("gone");
    });
    await expect(store.dispose()).rejects.toThrow(/1 of the store's disposers failed/);
  });

  it("releases at once what is added after it was disposed, and forgets what is deleted", () => {
    const order: string[] = [];
    const store = new DisposableStore();
    const taken = store.add(toDisposable(() => void order.push("taken out")));
    store.delete(taken);
    store.dispose();
    expect(order).toEqual([]);
    store.add(() => void order.push("late"));
    expect(order).toEqual(["late"]);
    expect(() =>
      store.add(() => {
        throw new Error("late failure");
      }),
    ).toThrow("late failure");
  });
});
