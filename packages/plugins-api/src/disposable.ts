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
