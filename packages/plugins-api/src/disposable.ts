/** Something that holds a resource until disposed: a registration, a timer, a socket. */
export interface Disposable {
  dispose(): void | Promise<void>;
}

/** Wraps a teardown function as a {@link Disposable} that runs it at most once. */
export function toDisposable(teardown: () => void | Promise<void>): Disposable {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      return teardown();
    },
  };
}

/**
 * Collects what an owner must release and releases all of it at once (since 1.7.0): the last added
 * first, each once. A disposer that throws or rejects does not stop the ones after it; its error goes
 * to `report`, or, without one, the store's `dispose` throws (or rejects with) an AggregateError of all
 * failures once everything else was released. A disposer that returns a promise is awaited before the
 * next one runs, so teardown keeps its order; a store whose disposers are all synchronous disposes
 * synchronously. Once disposed, whatever is added is disposed at once (a failure then reaches the caller
 * of `add`, or `report` when it rejects later).
 */
export class DisposableStore implements Disposable {
  private readonly items: Disposable[] = [];
  private disposing: void | Promise<void> | undefined;
  private done = false;

  constructor(private readonly report?: (error: unknown) => void) {}

  /** Whether {@link dispose} was called. */
  get isDisposed(): boolean {
    return this.done;
  }

  /** Keeps `item` (a Disposable or a teardown function) until the store is disposed; returns the item. */
  add<T extends Disposable>(item: T): T;
  add(teardown: () => void | Promise<void>): Disposable;
  add(item: Disposable | (() => void | Promise<void>)): Disposable {
    const disposable = typeof item === "function" ? toDisposable(item) : item;
    if (this.done) {
      // Too late to hold it: release it now, and let a failure reach the caller like any other.
      const result = disposable.dispose();
      if (this.report && isThenable(result)) result.then(undefined, this.report);
      return disposable;
    }
    this.items.push(disposable);
    return disposable;
  }

  /** Takes `item` out of the store without disposing it, e.g. because its owner released it already. */
  delete(item: Disposable): void {
    const at = this.items.lastIndexOf(item);
    if (at >= 0) this.items.splice(at, 1);
  }

  /** Releases everything held, the last added first; a second call returns what the first did. */
  dispose(): void | Promise<void> {
    if (this.done) return this.disposing;
    this.done = true;
    const failures: unknown[] = [];
    while (this.items.length > 0) {
      const item = this.items.pop() as Disposable;
      const pending = settle(item, failures);
      if (pending) {
        this.disposing = this.rest(pending, failures);
        return this.disposing;
      }
    }
    this.finish(failures);
  }

  private async rest(pending: Promise<void>, failures: unknown[]): Promise<void> {
    await pending;
    while (this.items.length > 0) {
      const item = this.items.pop() as Disposable;
      await settle(item, failures);
    }
    this.finish(failures);
  }

  private finish(failures: unknown[]): void {
    if (failures.length === 0) return;
    if (this.report) {
      for (const failure of failures) this.report(failure);
      return;
    }
    throw new AggregateError(failures, `${failures.length} of the store's disposers failed`);
  }
}

/** Disposes `item`, recording a failure instead of throwing; a promise when the disposer is asynchronous. */
function settle(item: Disposable, failures: unknown[]): Promise<void> | undefined {
  try {
    const result = item.dispose();
    if (isThenable(result))
      return result.then(
        () => undefined,
        (error: unknown) => void failures.push(error),
      );
  } catch (error) {
    failures.push(error);
  }
  return undefined;
}

function isThenable(value: unknown): value is PromiseLike<void> {
  return typeof (value as PromiseLike<void> | undefined)?.then === "function";
}
