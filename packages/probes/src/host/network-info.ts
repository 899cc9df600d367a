import { networkInterfaces } from "node:os";
import type { InterfaceAddress, NetworkInfo } from "@autostun/plugins-api";

/** The host's interface addresses as Node sees them, read fresh on every call (addresses change). */
export function createNetworkInfo(): NetworkInfo {
  return {
    async addresses() {
      const out: InterfaceAddress[] = [];
      for (const [name, list] of Object.entries(networkInterfaces())) {
        for (const entry of list ?? []) {
          out.push({
            interface: name,
            address: entry.address,
            family: entry.family === "IPv6" ? "IPv6" : "IPv4",
            netmask: entry.netmask,
            internal: entry.internal,
            ...(entry.mac && entry.mac !== "00:00:00:00:00:00" ? { mac: entry.mac } : {}),
          });
        }
      }
      return out;
    },
  };
}
