import type { TargetScope, TunnelInbound, TunnelPorts } from "@autostun/relay";

/** What a tunnel with a downloader knows before its first punch. */
export interface PathSituation {
  forward: "userspace" | "nftables";
  /** Where the target is: this host (loopback or one of its addresses) or another LAN machine. */
  targetScope: TargetScope;
  /** Whether this daemon may load nftables rules (root or CAP_NET_ADMIN, and nft obeys). */
  nftablesPermitted: boolean;
}

/** The decision for one (re)open: how peers arrive, and which port the downloader listens on. */
export interface PathChoice {
  inbound: TunnelInbound;
  /**
   * The port pushed to the downloader, which is also the port forwarding aims at on the target host:
   * a client without an announce port tells trackers the port it listens on, so it must listen on the
   * public port peers dial.
   */
  downloaderPort: number;
  /** Why, in one line for the log. */
  why: string;
}

/**
 * Picks the path once the public port Q of local port P is known. The downloader must listen on Q;
 * when Q == P and the downloader runs on this host, it cannot do so beside a listener of ours on P, so
 * either nftables moves our listener to a relay port R (peers keep bans, the table and real addresses),
 * or nothing of ours listens and the downloader takes P itself. Never is the downloader sent to a port
 * one of our listeners holds.
 */
export function choosePath(situation: PathSituation, ports: TunnelPorts): PathChoice {
  const { localPort: p, publicPort: q } = ports;
  if (situation.forward === "nftables")
    return {
      inbound: { kind: "kernel-dnat" },
      downloaderPort: q,
      why: `the kernel DNATs port ${p} to the downloader on port ${q}; nothing of ours listens`,
    };
  if (q !== p)
    return {
      inbound: { kind: "listen-on-p" },
      downloaderPort: q,
      why: `the gateway maps public port ${q} to local port ${p}: we listen on ${p} and forward to the downloader on ${q}`,
    };
  if (situation.targetScope === "lan")
    return {
      inbound: { kind: "listen-on-p" },
      downloaderPort: p,
      why: `the gateway keeps port ${p} and the downloader runs on another machine: we listen on ${p} and forward to it on ${p}`,
    };
  if (situation.nftablesPermitted)
    return {
      inbound: { kind: "relay-port", port: 0 },
      downloaderPort: p,
      why: `the gateway keeps port ${p}: nftables redirects peers to our relay port, which forwards to the downloader on ${p}`,
    };
  return {
    inbound: { kind: "downloader-on-p" },
    downloaderPort: p,
    why: `the gateway keeps port ${p} and nftables is not allowed here: the downloader listens on ${p} itself, without bans or the connection table`,
  };
}
