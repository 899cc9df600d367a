import { networkInterfaces } from "node:os";
import { type Disposable, toDisposable } from "@autostun/plugins-api";
import type { EventChannel } from "@autostun/runtime";
import type { CheckEvents } from "./check-events.js";

/** A fingerprint of the host's addresses; a change means a new network (new lease, new route, VPN). */
function fingerprint(): string {
  return Object.entries(networkInterfaces())
    .flatMap(([name, list]) => (list ?? []).map((a) => `${name}/${a.address}/${a.netmask}`))
    .sort()
    .join(",");
}

/**
 * Publishes `network.changed` on the bus when the host's addresses change; polls because Node has no
 * netlink events. Whoever cares (the scheduler, later the tunnels) listens on the bus.
 */
export function watchNetwork(
  bus: EventChannel<CheckEvents>,
  onError: (error: unknown) => void,
  intervalMs = 15_000,
  read: () => string = fingerprint,
): Disposable {
  // The addresses are read with a socket of their own, which fails when the descriptors run out
  // (EMFILE): that read is skipped and reported, and the next poll tries again; a throw here would end
  // the daemon from inside a timer.
  const attempt = (): string | undefined => {
    try {
      return read();
    } catch (error) {
      onError(error);
      return undefined;
    }
  };
  let last = attempt();
  const timer = setInterval(() => {
    const now = attempt();
    if (now === undefined) return;
    if (last === undefined) last = now;
    else if (now !== last) {
      bus.publish("network.changed", { at: new Date().toISOString(), before: last, after: now });
      last = now;
    }
  }, intervalMs).unref();
  return toDisposable(() => clearInterval(timer));
}
