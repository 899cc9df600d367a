import { createSocket } from "node:dgram";
import { networkInterfaces } from "node:os";
import { familyOf, normalizeIp } from "../message/ip.js";
import type { Endpoint } from "../transport/types.js";

/** Every address configured on this host's interfaces, normalised. */
export function hostAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) out.add(normalizeIp(a.address));
  }
  return out;
}

/**
 * The source address the kernel would use towards `target`: a connected UDP socket learns it
 * from the routing table without sending anything.
 */
export function sourceAddressFor(target: Endpoint): Promise<string | null> {
  const socket = createSocket(familyOf(target.address) === "IPv6" ? "udp6" : "udp4");
  return new Promise((resolve) => {
    socket.on("error", () => {
      socket.close();
      resolve(null);
    });
    socket.connect(target.port, target.address, () => {
      const address = socket.address().address;
      socket.close();
      resolve(address);
    });
  });
}
