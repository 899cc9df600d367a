import { describe, expect, it } from "vitest";
import { formFor, formProblems, isHostPort, takesApiKey, tunnelInputFor } from "./downloaderChoice.js";

describe("the downloader form", () => {
  it("starts from the discovered downloader, with no credentials filled in", () => {
    const form = formFor({ kind: "transmission", url: "http://127.0.0.1:9091" });
    expect(form).toMatchObject({ kind: "transmission", url: "http://127.0.0.1:9091", password: "" });
    // A kind this console does not know still gives a usable form.
    expect(formFor({ kind: "rtorrent", url: "http://127.0.0.1:5000" }).kind).toBe("qbittorrent");
  });

  it("names the field that is wrong before anything is sent", () => {
    const form = formFor({ kind: "qbittorrent", url: "http://127.0.0.1:8080" });
    expect(formProblems(form)).toEqual({});
    expect(formProblems({ ...form, url: "127.0.0.1:8080" })).toEqual({ url: "url" });
    expect(formProblems({ ...form, target: "127.0.0.1" })).toEqual({ target: "target" });
    // Without a downloader the address is not needed.
    expect(formProblems({ ...form, kind: "none", url: "" })).toEqual({});
  });

  it("accepts host:port and [v6]:port with a real port only", () => {
    expect(isHostPort("127.0.0.1:6881")).toBe(true);
    expect(isHostPort("[::1]:51413")).toBe(true);
    expect(isHostPort("nas.lan:6881")).toBe(true);
    expect(isHostPort("127.0.0.1:0")).toBe(false);
    expect(isHostPort("127.0.0.1:70000")).toBe(false);
    expect(isHostPort("::1:6881")).toBe(false);
  });

  it("builds the saveTunnel input with the downloader and only the credentials given", () => {
    const form = { ...formFor({ kind: "qbittorrent", url: " http://127.0.0.1:8080 " }), password: "s3cret" };
    expect(tunnelInputFor(form)).toEqual({
      id: "qbittorrent",
      target: "127.0.0.1:6881",
      downloader: { kind: "qbittorrent", url: "http://127.0.0.1:8080", password: "s3cret" },
    });
    expect(tunnelInputFor({ ...form, kind: "none" })).toEqual({ id: "autostun", target: "127.0.0.1:6881" });
  });

  it("sends qBittorrent's API key when one is given, trimmed, and never for another kind", () => {
    const form = formFor({ kind: "qbittorrent", url: "http://127.0.0.1:8080" });
    expect(form.apiKey).toBe("");
    expect(tunnelInputFor(form)).toEqual({
      id: "qbittorrent",
      target: "127.0.0.1:6881",
      downloader: { kind: "qbittorrent", url: "http://127.0.0.1:8080" },
    });
    expect(tunnelInputFor({ ...form, apiKey: " qbt_abc123\n" })).toMatchObject({
      downloader: { kind: "qbittorrent", url: "http://127.0.0.1:8080", apiKey: "qbt_abc123" },
    });
    // Typed for qBittorrent, then the kind changed: Transmission has no API key to send it as.
    const switched = tunnelInputFor({ ...form, apiKey: "qbt_abc123", kind: "transmission" });
    expect(switched["downloader"]).not.toHaveProperty("apiKey");
    expect(takesApiKey("qbittorrent")).toBe(true);
    expect(takesApiKey("deluge")).toBe(false);
  });
});
