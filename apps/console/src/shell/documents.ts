import { graphql } from "../graphql/graphql.js";

/** Whether any tunnel exists: a visit without a page opens the wizard when none does. */
export const TUNNEL_IDS_QUERY = graphql(`
  query LandingTunnels {
    tunnels {
      id
    }
  }
`);
