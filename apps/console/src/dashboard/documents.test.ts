import { print } from "graphql";
import { describe, expect, it } from "vitest";
import { optionalFieldsOf, tunnelDocuments } from "./documents.js";

const type = (...names: string[]) => ({ fields: names.map((name) => ({ name })) });

const today = {
  tunnel: type("id", "state", "downloader", "openSince", "hooks", "upnp", "privateAddress", "listenPort"),
  downloader: type("kind", "state", "error", "errorKind", "requestedPort", "nextRetryAt", "attempts"),
  mutation: type("startTunnel", "stopTunnel", "pushDownloaderPort"),
};

describe("optionalFieldsOf", () => {
  it("asks for every detail a daemon of today has", () => {
    expect(optionalFieldsOf(today)).toEqual({
      downloader: true,
      downloaderRetry: true,
      openSince: true,
      hooks: true,
      upnp: true,
      privateAddress: true,
      listenPort: true,
      pushDownloaderPort: true,
    });
  });

  it("leaves out what an older daemon lacks, so it does not refuse the whole query", () => {
    const older = {
      tunnel: type("id", "state", "downloader"),
      downloader: type("kind", "state", "error"),
      mutation: type("startTunnel", "stopTunnel"),
    };
    expect(optionalFieldsOf(older)).toEqual({
      downloader: true,
      downloaderRetry: false,
      openSince: false,
      hooks: false,
      upnp: false,
      privateAddress: false,
      listenPort: false,
      pushDownloaderPort: false,
    });
  });

  it("offers no push without a downloader, and nothing at all when the daemon could not be asked", () => {
    const noDownloader = { ...today, tunnel: type("id", "hooks"), downloader: null };
    expect(optionalFieldsOf(noDownloader)).toMatchObject({
      downloader: false,
      downloaderRetry: false,
      pushDownloaderPort: false,
      hooks: true,
    });
    expect(Object.values(optionalFieldsOf(undefined)).some(Boolean)).toBe(false);
  });
});

describe("tunnelDocuments", () => {
  it("selects the new details only where the daemon has them", () => {
    const documents = tunnelDocuments(optionalFieldsOf(today));
    expect(print(documents.push)).toContain("pushDownloaderPort(tunnelId: $id)");
    const all = print(documents.updated);
    for (const part of ["errorKind", "nextRetryAt", "upnp {", "hooks {", "privateAddress {", "listenPort"])
      expect(all).toContain(part);
    const bare = print(tunnelDocuments(optionalFieldsOf(undefined)).tunnels);
    for (const part of ["downloader", "upnp", "hooks", "privateAddress", "listenPort", "openSince"])
      expect(bare).not.toContain(part);
  });
});
