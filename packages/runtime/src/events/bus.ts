import type { Disposable } from "@autostun/plugins-api";
import { toDisposable } from "@autostun/plugins-api";

/**
 * What a domain package needs of the bus: the topics it declares. The daemon's bus carries more topics
 * than any one package knows, and still fits here.
 */
export interface EventChannel<Events extends { [topic: string]: unknown }> {
  publish<T extends keyof Events>(topic: T, payload: Events[T]): void;
  subscribe<T extends keyof Events>(topic: T, handler: (payload: Events[T]) => void): Disposable;
  iterate<T extends keyof Events>(topic: T, options?: { buffer?: number }): AsyncIterableIterator<Events[T]>;
}

/**
 * One bus for every state change in the daemon. GraphQL subscriptions, the scheduler and the store all
 * listen here, so nothing needs to know who else cares about an event.
 */
export class EventBus<Events extends { [topic: string]: unknown }> implements EventChannel<Events> {
  private readonly handlers = new Map<keyof Events, Set<(payload: never) => void>>();

  publish<T extends keyof Events>(topic: T, payload: Events[T]): void {
    for (const handler of this.handlers.get(topic) ?? []) {
      try {
        (handler as (payload: Events[T]) => void)(payload);
      } catch {
        // A failing listener must not stop delivery to the others; listeners log their own errors.
      }
    }
  }

  subscribe<T extends keyof Events>(topic: T, handler: (payload: Events[T]) => void): Disposable {
    const set = this.handlers.get(topic) ?? new Set();
    this.handlers.set(topic, set);
    set.add(handler as (payload: never) => void);
    return toDisposable(() => void set.delete(handler as (payload: never) => void));
  }

  /**
   * Events of a topic as an async iterator, for GraphQL subscriptions. A consumer that falls more than
   * `buffer` events behind loses the oldest ones rather than growing memory without bound.
   */
  iterate<T extends keyof Events>(
    topic: T,
    options: { buffer?: number } = {},
  ): AsyncIterableIterator<Events[T]> {
    const limit = options.buffer ?? 256;
    const queue: Events[T][] = [];
    let wake: ((result: IteratorResult<Events[T]>) => void) | undefined;
    let closed = false;
    const subscription = this.subscribe(topic, (payload) => {
      if (wake) {
        const resolve = wake;
        wake = undefined;
        resolve({ value: payload, done: false });
        return;
      }
      queue.push(payload);
      if (queue.length > limit) queue.shift();
    });
    const finish = (): Promise<IteratorResult<Events[T]>> => {
      closed = true;
      subscription.dispose();
      wake?.({ value: undefined, done: true });
      wake = undefined;
      return Promise.resolve({ value: undefined, done: true });
    };
    return {
      next() {
        if (queue.length > 0) return Promise.resolve({ value: queue.shift() as Events[T], done: false });
        if (closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          wake = resolve;
        });
      },
      return: finish,
      throw: finish,
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}
