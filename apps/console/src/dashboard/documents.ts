import { gql } from "@urql/core";

// Tunnel fields for every place a tunnel arrives from (query, mutation, subscription). The downloader
// push is asked for only where the daemon has it (see `downloaderSupported`).
const fields = (withDownloader: boolean) => `
  id
  state
  reason
  path
  pathCost
  localPort
  publicAddress { ip port }
  target
  origin
  lastKeepaliveAt
  lastRecoveryAt
  recoveryCount
  nextRetryAt
  stats { active handled blocked bytesIn bytesOut }
  ${withDownloader ? "downloader { kind url state lastPushAt verifiedPort error }" : ""}
`;

/** Whether this daemon's Tunnel has the `downloader` field (daemons before it refuse the query). */
export const TUNNEL_FIELDS_QUERY = gql`
  query TunnelFields {
    __type(name: "Tunnel") {
      fields {
        name
      }
    }
  }
`;

export function tunnelDocuments(withDownloader: boolean) {
  const selection = fields(withDownloader);
  return {
    tunnels: gql(`query Tunnels { tunnels { ${selection} } }`),
    updated: gql(`subscription TunnelUpdated { tunnelUpdated { ${selection} } }`),
    start: gql(`mutation StartTunnel($id: ID!) { startTunnel(id: $id) { ${selection} } }`),
    stop: gql(`mutation StopTunnel($id: ID!) { stopTunnel(id: $id) { ${selection} } }`),
  };
}

/** Only the counters: read every few seconds for the throughput line. */
export const TUNNEL_STATS_QUERY = gql`
  query TunnelStats {
    tunnels {
      id
      stats {
        active
        handled
        blocked
        bytesIn
        bytesOut
      }
    }
  }
`;
