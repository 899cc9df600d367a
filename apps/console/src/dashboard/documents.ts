import { gql } from "@urql/core";

/** Tunnel fields that older daemons lack: asked for only where the daemon's schema has them. */
export interface OptionalTunnelFields {
  downloader: boolean;
  openSince: boolean;
}

// Tunnel fields for every place a tunnel arrives from (query, mutation, subscription).
const fields = (optional: OptionalTunnelFields) => `
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
  ${optional.openSince ? "openSince" : ""}
  ${optional.downloader ? "downloader { kind url state lastPushAt verifiedPort error }" : ""}
`;

/** The fields of this daemon's Tunnel type (a daemon refuses a query naming a field it lacks). */
export const TUNNEL_FIELDS_QUERY = gql`
  query TunnelFields {
    __type(name: "Tunnel") {
      fields {
        name
      }
    }
  }
`;

export function tunnelDocuments(optional: OptionalTunnelFields) {
  const selection = fields(optional);
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
