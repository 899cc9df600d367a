import { gql } from "@urql/core";

/** Tunnel fields that older daemons lack: asked for only where the daemon's schema has them. */
export interface OptionalTunnelFields {
  downloader: boolean;
  /** `errorKind requestedPort nextRetryAt attempts` on the downloader. */
  downloaderRetry: boolean;
  openSince: boolean;
  hooks: boolean;
  upnp: boolean;
  privateAddress: boolean;
  listenPort: boolean;
  /** `Mutation.pushDownloaderPort`: the card offers "push the port again" only where it exists. */
  pushDownloaderPort: boolean;
}

const DOWNLOADER_RETRY = ["errorKind", "requestedPort", "nextRetryAt", "attempts"] as const;

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
  ${optional.privateAddress ? "privateAddress { ip port }" : ""}
  ${optional.listenPort ? "listenPort" : ""}
  ${
    optional.downloader
      ? `downloader { kind url state lastPushAt verifiedPort error ${
          optional.downloaderRetry ? DOWNLOADER_RETRY.join(" ") : ""
        } }`
      : ""
  }
  ${
    optional.hooks
      ? "hooks { ok lastRunAt publicAddress { ip port } command { ok error output } webhook { ok error } }"
      : ""
  }
  ${optional.upnp ? "upnp { state protocol gateway externalIp externalPort leaseEndsAt error }" : ""}
`;

/** The fields of this daemon's types the card may use (a daemon refuses a query naming a field it lacks). */
export const TUNNEL_FIELDS_QUERY = gql`
  query TunnelFields {
    tunnel: __type(name: "Tunnel") {
      fields {
        name
      }
    }
    downloader: __type(name: "TunnelDownloader") {
      fields {
        name
      }
    }
    mutation: __type(name: "Mutation") {
      fields {
        name
      }
    }
  }
`;

type TypeFields = { fields: { name: string }[] | null } | null | undefined;

/** What {@link TUNNEL_FIELDS_QUERY} answers; every part is null when the daemon lacks the type. */
export interface TunnelFieldsAnswer {
  tunnel?: TypeFields;
  downloader?: TypeFields;
  mutation?: TypeFields;
}

const namesOf = (type: TypeFields) => new Set(type?.fields?.map((field) => field.name));

/** Which optional fields to ask for, from the daemon's answer; none when it could not be asked. */
export function optionalFieldsOf(answer: TunnelFieldsAnswer | undefined): OptionalTunnelFields {
  const tunnel = namesOf(answer?.tunnel);
  const downloader = namesOf(answer?.downloader);
  const mutation = namesOf(answer?.mutation);
  const hasDownloader = tunnel.has("downloader");
  return {
    downloader: hasDownloader,
    downloaderRetry: hasDownloader && DOWNLOADER_RETRY.every((name) => downloader.has(name)),
    openSince: tunnel.has("openSince"),
    hooks: tunnel.has("hooks"),
    upnp: tunnel.has("upnp"),
    privateAddress: tunnel.has("privateAddress"),
    listenPort: tunnel.has("listenPort"),
    pushDownloaderPort: hasDownloader && mutation.has("pushDownloaderPort"),
  };
}

export function tunnelDocuments(optional: OptionalTunnelFields) {
  const selection = fields(optional);
  return {
    tunnels: gql(`query Tunnels { tunnels { ${selection} } }`),
    updated: gql(`subscription TunnelUpdated { tunnelUpdated { ${selection} } }`),
    start: gql(`mutation StartTunnel($id: ID!) { startTunnel(id: $id) { ${selection} } }`),
    stop: gql(`mutation StopTunnel($id: ID!) { stopTunnel(id: $id) { ${selection} } }`),
    // Only the id: the push's progress and outcome arrive as tunnelUpdated, and an answer read here could
    // land after a newer event and show the tunnel as it was.
    push: gql("mutation PushDownloaderPort($id: ID!) { pushDownloaderPort(tunnelId: $id) { id } }"),
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
