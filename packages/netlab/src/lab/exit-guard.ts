/**
 * Last-chance cleanup: labs still alive when the process exits or is told to stop are
 * torn down synchronously, so an interrupted run leaves no namespace behind.
 */

type SyncTeardown = () => void;

const live = new Map<string, SyncTeardown>();
let installed = false;

const SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

function teardownAll(): void {
  for (const [id, teardown] of live) {
    live.delete(id);
    teardown();
  }
}

function onSignal(signal: NodeJS.Signals): void {
  teardownAll();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  // Our listener replaced the default action. When nobody else handles the signal,
  // re-raise it so the process ends the way it would have without us.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", teardownAll);
  for (const s of SIGNALS) process.on(s, onSignal);
}

/** Register a lab's synchronous teardown to run at exit or on a stop signal. */
export function guardLab(id: string, teardown: SyncTeardown): void {
  install();
  live.set(id, teardown);
}

/** The lab was torn down normally: nothing left to do at exit. */
export function releaseLab(id: string): void {
  live.delete(id);
}
