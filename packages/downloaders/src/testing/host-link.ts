import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";

/** A veth pair from this host into a namespace someone else built (a netlab lab's LAN side). */
export interface HostLink {
  /** The namespace's end: where its clients' APIs are reached from this host. */
  readonly ip: string;
  dispose(): void;
}

/**
 * Joins this host to `namespace` by one veth pair on a random /30 (10.201-250.x.y, as
 * DownloaderNamespace), so a test drives a client inside a lab through its API as a daemon on the same
 * machine would, while the lab's own routes (the default route, IPv6) stay as the lab made them.
 */
export function linkHostTo(namespace: string): HostLink {
  const id = randomBytes(3).toString("hex");
  const [a, b, c] = randomBytes(3);
  const net = [10, 201 + ((a as number) % 50), b as number, ((c as number) % 64) * 4];
  const host = `${net[0]}.${net[1]}.${net[2]}.${(net[3] as number) + 1}`;
  const inside = `${net[0]}.${net[1]}.${net[2]}.${(net[3] as number) + 2}`;
  const outer = `ahl${id}h`;
  const inner = `ahl${id}n`;
  const ip = (...args: string[]) => execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
  ip("link", "add", outer, "type", "veth", "peer", "name", inner);
  const dispose = () => {
    try {
      ip("link", "del", outer);
    } catch {
      // gone with the namespace already
    }
  };
  try {
    ip("link", "set", inner, "netns", namespace);
    ip("addr", "add", `${host}/30`, "dev", outer);
    ip("link", "set", outer, "up");
    ip("-n", namespace, "addr", "add", `${inside}/30`, "dev", inner);
    ip("-n", namespace, "link", "set", inner, "up");
  } catch (error) {
    dispose();
    throw error;
  }
  return { ip: inside, dispose };
}
