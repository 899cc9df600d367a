import { describe, expect, it } from "vitest";
import { idleDownloaderStatus } from "./push-status.js";

describe("idleDownloaderStatus", () => {
  it("shows the kind and the URL without the user and password written into it", () => {
    const status = idleDownloaderStatus("qbittorrent", "http://admin:hunter2@10.0.0.5:8080/");
    expect(status.kind).toBe("qbittorrent");
    expect(status.url).toBe("http://10.0.0.5:8080");
    expect(JSON.stringify(status)).not.toContain("hunter2");
  });

  it("starts with nothing pushed: no port, no error, no attempt and no retry planned", () => {
    const status = idleDownloaderStatus("aria2", "http://127.0.0.1:6800/jsonrpc");
    expect(status).toMatchObject({ state: "IDLE", attempts: 0 });
    expect(status.requestedPort).toBeUndefined();
    expect(status.verifiedPort).toBeUndefined();
    expect(status.error).toBeUndefined();
    expect(status.nextRetryAt).toBeUndefined();
  });
});
