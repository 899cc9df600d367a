import { networkInterfaces } from "node:os";
import { type Disposable, toDisposable } from "@autostun/plugins-api";

/** A fingerprint of the host's addresses; a change means a new network (new lease, new route, VPN). */
function fingerprint(): string {
  return Object.entries(networkInterfaces())
    .flatMap(([name, list]) => (list ?? []).map((a) => `${name}/${a.address}/${a.netmask}`))
    .sort()
    .join(",");
}

/** Calls `onChange` when the host's addresses change; polls because Node has no netlink events. */
export function watchNetwork(onChange: () => void, intervalMs = 15_000): Disposable {
  let last = fingerprint();
  const timer = setInterval(() => {
    const now = fingerprint();
    if (now !== last) {
      last = now;
      onChange();
    }
  }, intervalMs).unref();
  return toDisposable(() => clearInterval(timer));
}
