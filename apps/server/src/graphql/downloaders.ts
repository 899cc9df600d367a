import type { DiscoveredDownloader } from "@autostun/tunnels";
import { Tokens } from "../tokens.js";
import { builder } from "./builder.js";

const DiscoveredDownloaderRef = builder.objectRef<DiscoveredDownloader>("DiscoveredDownloader").implement({
  description:
    "A BitTorrent client found running on this host, recognised by its Web UI / RPC answer; enough to set a tunnel's downloader up with one confirmation.",
  fields: (t) => ({
    kind: t.exposeString("kind", {
      description:
        "The value for TunnelDownloaderInput.kind (a String there, as plugins add kinds); discovery finds the built-in clients only",
    }),
    url: t.exposeString("url", {
      description: "Where its Web UI / RPC answered, e.g. http://127.0.0.1:8080",
    }),
    version: t.string({
      nullable: true,
      description: "As the client reports it; null when it tells only after a login",
      resolve: (d) => d.version,
    }),
    needsCredentials: t.exposeBoolean("needsCredentials", {
      description: "It asks for a user name and password (or an RPC secret) before anything else",
    }),
    alreadyConfigured: t.exposeBoolean("alreadyConfigured", {
      description: "A tunnel already has this client (same kind and port on this host) as its downloader",
    }),
  }),
});

builder.queryFields((t) => ({
  discoveredDownloaders: t.field({
    type: [DiscoveredDownloaderRef],
    description:
      "Downloaders running on this host: the default ports of qBittorrent (8080), Transmission (9091), Deluge (8112) and aria2 (6800) and those of configured downloaders, on loopback and this host's own addresses only. Sends no credentials.",
    resolve: (_root, _args, ctx) => ctx.services.get(Tokens.DownloaderDiscovery).discover(),
  }),
}));
