import type { ResultOf, VariablesOf } from "../graphql/graphql.js";
import type { DISCOVERED_DOWNLOADERS_QUERY, SAVE_TUNNEL_MUTATION, TUNNEL_FIELDS } from "./documents.js";

// The wizard's types, derived from its documents and so from the daemon's schema.

/** A tunnel as the wizard's documents select it. */
export type WizardTunnel = ResultOf<typeof TUNNEL_FIELDS>;

/** The tunnel states the enable step sees, as the daemon reports them. */
export type TunnelState = WizardTunnel["state"];

/** How the daemon's push of the public port into the downloader went. */
export type DownloaderPushState = NonNullable<WizardTunnel["downloader"]>["state"];

/** A downloader the daemon found answering on this host. */
export type DiscoveredDownloader = ResultOf<
  typeof DISCOVERED_DOWNLOADERS_QUERY
>["discoveredDownloaders"][number];

/** What `saveTunnel` takes. */
export type TunnelInput = VariablesOf<typeof SAVE_TUNNEL_MUTATION>["input"];

/** What `saveTunnel` answers: the tunnel, or the problems that kept it from being saved. */
export type SaveTunnelAnswer = ResultOf<typeof SAVE_TUNNEL_MUTATION>["saveTunnel"];
