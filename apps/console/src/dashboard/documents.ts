import { graphql } from "../graphql/graphql.js";

// Tunnel fields for every place a tunnel arrives from (query, mutation, subscription), so a tunnel
// replaced by a newer view of it never loses a part.
export const TUNNEL_FIELDS = graphql(`
  fragment DashboardTunnelFields on Tunnel {
    id
    state
    reason
    path
    pathCost
    localPort
    publicAddress {
      ip
      port
    }
    target
    origin
    lastKeepaliveAt
    lastRecoveryAt
    recoveryCount
    nextRetryAt
    stats {
      active
      handled
      blocked
      bytesIn
      bytesOut
    }
    openSince
    privateAddress {
      ip
      port
    }
    listenPort
    downloader {
      kind
      url
      state
      lastPushAt
      verifiedPort
      error
      errorKind
      requestedPort
      nextRetryAt
      attempts
    }
    hooks {
      ok
      lastRunAt
      publicAddress {
        ip
        port
      }
      command {
        ok
        error
        output
      }
      webhook {
        ok
        error
        output
      }
    }
    udp {
      state
      reason
      publicAddress {
        ip
        port
      }
      localPort
      samePort
      lastKeepaliveAt
      match
      search {
        outcome
        code
        sockets
        packets
        elapsedMs
        at
      }
      stats {
        active
        handled
        blocked
        dropped
      }
    }
    upnp {
      state
      protocol
      gateway
      externalIp
      externalIpKind
      secondNat
      externalPort
      leaseEndsAt
      error
    }
    ipv6 {
      address
      port
      pinhole {
        state
        protocol
        gateway
        tcp
        udp
        leaseEndsAt
        error
      }
    }
  }
`);

export const TUNNELS_QUERY = graphql(
  `
    query Tunnels {
      tunnels {
        ...DashboardTunnelFields
      }
    }
  `,
  [TUNNEL_FIELDS],
);

export const TUNNEL_UPDATED_SUBSCRIPTION = graphql(
  `
    subscription TunnelUpdated {
      tunnelUpdated {
        ...DashboardTunnelFields
      }
    }
  `,
  [TUNNEL_FIELDS],
);

export const START_TUNNEL_MUTATION = graphql(
  `
    mutation StartTunnel($id: ID!) {
      startTunnel(id: $id) {
        ...DashboardTunnelFields
      }
    }
  `,
  [TUNNEL_FIELDS],
);

export const STOP_TUNNEL_MUTATION = graphql(
  `
    mutation StopTunnel($id: ID!) {
      stopTunnel(id: $id) {
        ...DashboardTunnelFields
      }
    }
  `,
  [TUNNEL_FIELDS],
);

// Only the id: the push's progress and outcome arrive as tunnelUpdated, and an answer read here could
// land after a newer event and show the tunnel as it was.
export const PUSH_DOWNLOADER_PORT_MUTATION = graphql(`
  mutation PushDownloaderPort($id: ID!) {
    pushDownloaderPort(tunnelId: $id) {
      id
    }
  }
`);

/** Only the counters: read every few seconds for the throughput line. */
export const TUNNEL_STATS_QUERY = graphql(`
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
`);
