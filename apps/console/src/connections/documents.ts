import { graphql } from "../graphql/graphql.js";

export const CONNECTION_FIELDS = graphql(`
  fragment PeerConnectionFields on PeerConnection {
    id
    tunnelId
    protocol
    remoteAddress
    proxyAddress
    openedAt
    closedAt
    bytesIn
    bytesOut
    geo {
      country
      city
      asn
    }
  }
`);

/** The tunnels whose connections the table lists, and the credit the GeoIP data asks for. */
export const CONNECTIONS_CONTEXT_QUERY = graphql(`
  query ConnectionsContext {
    tunnels {
      id
    }
    geoAttribution
  }
`);

/** The newest connections of one tunnel, live and recent. */
export const CONNECTIONS_QUERY = graphql(
  `
  query Connections($tunnelId: ID!, $first: Int) {
    connections(tunnelId: $tunnelId, first: $first, orderBy: OPENED_AT) {
      edges {
        node {
          ...PeerConnectionFields
        }
      }
      totalCount
    }
  }
`,
  [CONNECTION_FIELDS],
);

/** Every connection opening, moving bytes and closing, of every tunnel. */
export const CONNECTION_EVENTS_SUBSCRIPTION = graphql(
  `
  subscription ConnectionEvents {
    connectionEvents {
      type
      connection {
        ...PeerConnectionFields
      }
    }
  }
`,
  [CONNECTION_FIELDS],
);
