import { describe, expect, it } from "vitest";
import { errorKindKey, nextPushAt } from "./downloaderFacts.js";
import type { TunnelDownloader } from "./types.js";

const downloader = (state: TunnelDownloader["state"], nextRetryAt: string | null): TunnelDownloader => ({
  kind: "qbittorrent",
  url: "http://127.0.0.1:8080",
  state,
  lastPushAt: null,
  verifiedPort: null,
  error: null,
  errorKind: null,
  requestedPort: null,
  attempts: 0,
  nextRetryAt,
});

describe("errorKindKey", () => {
  it("has the card's words for each kind the daemon names, none for OTHER or a newer kind", () => {
    expect(errorKindKey("CREDENTIALS_REFUSED")).toBe("dashboard.downloaderError.CREDENTIALS_REFUSED");
    expect(errorKindKey("IGNORED_CHANGE")).toBe("dashboard.downloaderError.IGNORED_CHANGE");
    expect(errorKindKey("OTHER")).toBeNull();
    expect(errorKindKey("RATE_LIMITED")).toBeNull();
    expect(errorKindKey(null)).toBeNull();
    expect(errorKindKey(undefined)).toBeNull();
  });
});

describe("nextPushAt", () => {
  it("is the retry time only while the daemon retries", () => {
    expect(nextPushAt(downloader("RETRYING", "2026-05-01T12:00:20.000Z"))).toBe("2026-05-01T12:00:20.000Z");
    expect(nextPushAt(downloader("FAILED", "2026-05-01T12:00:20.000Z"))).toBeNull();
    expect(nextPushAt(downloader("VERIFIED", null))).toBeNull();
    expect(nextPushAt(downloader("RETRYING", null))).toBeNull();
  });
});
