import type { Lab } from "@autostun/netlab";

/**
 * A TCP service in the LAN namespace that first says which address it sees the client as
 * (`peer=<ip> port=<port>`), then echoes: it shows whether a peer's real address arrived. `SOCAT_PEERADDR` is
 * set by socat for the program it runs.
 */
export async function startWhoService(lab: Lab, bind: string, port: number): Promise<void> {
  lab.spawn("lan", "socat", [
    `TCP4-LISTEN:${port},bind=${bind},reuseaddr,fork`,
    "SYSTEM:echo peer=$SOCAT_PEERADDR port=$SOCAT_PEERPORT; exec cat",
  ]);
  await lab.waitForListening("lan", { tcp: [`${bind}:${port}`] });
}

/** The nftables table `inet autostun` in the LAN namespace, read straight from nft (not through our code). */
export async function autostunTable(lab: Lab): Promise<{ chains: string[]; elements: string[] } | undefined> {
  const result = await lab.exec("lan", "nft", ["-j", "list", "table", "inet", "autostun"]);
  if (result.code !== 0) return undefined;
  const items = (
    JSON.parse(result.stdout) as { nftables: Record<string, { name: string; elem?: unknown[] }>[] }
  ).nftables;
  return {
    chains: items.flatMap((item) => (item.chain ? [item.chain.name] : [])),
    // Ban-set elements only: the per-address limit's set fills with the peers that connected.
    elements: items.flatMap((item) =>
      item.set && !item.set.name.endsWith("_peers")
        ? (item.set.elem?.map((e) => JSON.stringify(e)) ?? [])
        : [],
    ),
  };
}

export async function routeLocalnet(lab: Lab): Promise<string> {
  return (await lab.exec("lan", "sysctl", ["-n", "net.ipv4.conf.all.route_localnet"])).stdout.trim();
}
