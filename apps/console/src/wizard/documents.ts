import { gql } from "@urql/core";

// The wizard's own documents: tunnels as far as the enable and proof steps need them, the downloaders
// the daemon found on this host, and saving the tunnel.

const TUNNEL_FIELDS = gql`
  fragment WizardTunnelFields on Tunnel {
    id
    state
    reason
    localPort
    target
    publicAddress {
      ip
      port
    }
    downloader {
      kind
      state
      verifiedPort
      error
    }
  }
`;

export const WIZARD_TUNNELS_QUERY = gql`
  query WizardTunnels {
    tunnels {
      ...WizardTunnelFields
    }
  }
  ${TUNNEL_FIELDS}
`;

export const WIZARD_TUNNEL_UPDATED = gql`
  subscription WizardTunnelUpdated {
    tunnelUpdated {
      ...WizardTunnelFields
    }
  }
  ${TUNNEL_FIELDS}
`;

export const SAVE_TUNNEL_MUTATION = gql`
  mutation WizardSaveTunnel($input: TunnelInput!) {
    saveTunnel(input: $input) {
      tunnel {
        ...WizardTunnelFields
      }
      problems {
        key
        message
      }
    }
  }
  ${TUNNEL_FIELDS}
`;

export const DISCOVERED_DOWNLOADERS_QUERY = gql`
  query WizardDiscoveredDownloaders {
    discoveredDownloaders {
      kind
      url
      version
      needsCredentials
      alreadyConfigured
    }
  }
`;

/** Peers arriving at one tunnel: the proof step asks relay.reachability again when one opens. */
export const WIZARD_CONNECTION_EVENTS = gql`
  subscription WizardConnectionEvents($tunnelId: ID) {
    connectionEvents(tunnelId: $tunnelId) {
      type
    }
  }
`;
