import type { Logger } from "@autostun/plugins-api";
import { afterEach, vi } from "vitest";
import type { TunnelState } from "../types.js";

/**
 * Test scaffolding shared by the unit tests of the two state machines that hold a mapping: the TCP
 * tunnel and the UDP mapping. Both report `{ status: { state } }` events to `onChange` listeners.
 */

/** What `onChange` hands back: a Disposable (tunnel) or an unsubscribe function (UDP mapping). */
type Unsubscribe = (() => unknown) | { dispose(): void };

export interface Machine<E> {
  onChange(listener: (event: E) => void): Unsubscribe;
  stop(): Promise<void>;
}

interface StateEvent {
  status: { state: TunnelState };
}

/** A logger that keeps every line as "level message", for tests that read what a user would. */
export function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger: Logger = {
    debug: (m) => lines.push(`debug ${m}`),
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
  return { logger, lines };
}

/**
 * The list to put every machine a test makes on: after each test the clock is real again, every
 * machine on it is stopped, and `lines` (the log) is emptied.
 */
export function stoppedAfterEach<M extends { stop(): Promise<void> }>(lines: string[]): M[] {
  const running: M[] = [];
  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(running.splice(0).map((machine) => machine.stop()));
    lines.length = 0;
  });
  return running;
}

/** Every event `machine` reports from now on, in order. */
export function recordEvents<E>(machine: Machine<E>): E[] {
  const events: E[] = [];
  machine.onChange((event) => events.push(event));
  return events;
}

/** Resolves on the next event that reaches `state` (and satisfies `when`). */
export function reach<E extends StateEvent>(
  machine: Machine<E>,
  state: TunnelState,
  when: (event: E) => boolean = () => true,
): Promise<E> {
  return new Promise<E>((resolve) => {
    const off = machine.onChange((event) => {
      if (event.status.state !== state || !when(event)) return;
      if (typeof off === "function") off();
      else off.dispose();
      resolve(event);
    });
  });
}
