import { graphql } from "../graphql/graphql.js";

// The wizard's own documents: tunnels as far as the enable and proof steps need them, the downloaders
// the daemon found on this host, and saving the tunnel.

export const TUNNEL_FIELDS = graphql(`
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
    ipv6 {
      pinhole {
        state
        leaseEndsAt
        error
      }
    }
  }
`);

export const WIZARD_TUNNELS_QUERY = graphql(
  `
  query WizardTunnels {
    tunnels {
      ...WizardTunnelFields
    }
  }
`,
  [TUNNEL_FIELDS],
);

export const WIZARD_TUNNEL_UPDATED = graphql(
  `
  subscription WizardTunnelUpdated {
    tunnelUpdated {
      ...WizardTunnelFields
    }
  }
`,
  [TUNNEL_FIELDS],
);

export const SAVE_TUNNEL_MUTATION = graphql(
  `
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
`,
  [TUNNEL_FIELDS],
);

export const DISCOVERED_DOWNLOADERS_QUERY = graphql(
  `
  query WizardDiscoveredDownloaders {
    discoveredDownloaders {
      kind
      url
      version
      needsCredentials
      alreadyConfigured
    }
  }
`,
);

/** Peers arriving at one tunnel: the proof step asks relay.reachability again when one opens. */
export const WIZARD_CONNECTION_EVENTS = graphql(
  `
  subscription WizardConnectionEvents($tunnelId: ID) {
    connectionEvents(tunnelId: $tunnelId) {
      type
    }
  }
`,
);
