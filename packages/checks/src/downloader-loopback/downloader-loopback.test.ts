import {
  type ConfiguredDownloader,
  type DownloaderProbeResult,
  type Downloaders,
  type LocalizedText,
  localize,
  Services,
} from "@autostun/plugins-api";
import { describe, expect, it } from "vitest";
import { loadBuiltin, runLoadedCheck } from "../testing/run-check.js";
import { decideLoopback, locate } from "./verdict.js";

const qb: ConfiguredDownloader = {
  tunnelId: "qb",
  kind: "qbittorrent",
  url: "http://127.0.0.1:8080",
  hasCredentials: true,
};
const ok: DownloaderProbeResult = {
  answered: true,
  authOk: true,
  client: "qBittorrent",
  version: "4.5.2",
  addresses: ["127.0.0.1"],
};
const text = (value: LocalizedText | undefined, locale = "en") => localize(value ?? "", locale);
const steps = (result: ReturnType<typeof decideLoopback>, locale = "en") =>
  (result.guidance?.steps ?? []).map((s) => text(s, locale)).join("\n");

describe("downloader.loopback verdict", () => {
  it("passes for a client on loopback that took the credentials, with kind, url, version and the two answers", () => {
    const result = decideLoopback([{ downloader: qb, probe: ok }], ["192.168.1.5"]);
    expect(result.status).toBe("PASS");
    expect(result.facts).toMatchObject({
      kind: "qbittorrent",
      url: "http://127.0.0.1:8080",
      version: "4.5.2",
      answered: true,
      authOk: true,
      location: "loopback",
    });
    expect(text(result.summary)).toContain("qBittorrent 4.5.2");
    expect(result.guidance).toBeUndefined();
  });

  it("passes for one of this host's own addresses, saying which it is", () => {
    const downloader = { ...qb, url: "http://192.168.1.5:8080" };
    const result = decideLoopback(
      [{ downloader, probe: { ...ok, addresses: ["192.168.1.5"] } }],
      ["127.0.0.1", "192.168.1.5"],
    );
    expect(result.status).toBe("PASS");
    expect(result.facts).toMatchObject({ location: "this-host" });
    expect(text(result.summary, "zh-CN")).toContain("本机自己的地址");
  });

  it("warns for a client on another machine with the guide's reason and what to do", () => {
    const downloader = { ...qb, url: "http://192.168.1.20:8080" };
    const result = decideLoopback(
      [{ downloader, probe: { ...ok, addresses: ["192.168.1.20"] } }],
      ["127.0.0.1", "192.168.1.5"],
    );
    expect(result.status).toBe("WARN");
    expect(result.facts).toMatchObject({ location: "elsewhere", answered: true, authOk: true });
    expect(text(result.summary)).toMatch(/not this host.*lose their real addresses/);
    expect(steps(result)).toContain("http://127.0.0.1:8080");
    expect(steps(result, "zh-CN")).toContain("127.0.0.1");
    expect(text(result.guidance?.title)).toContain("same machine");
  });

  it("fails when nothing answers, naming the url and the error", () => {
    const probe: DownloaderProbeResult = {
      answered: false,
      authOk: undefined,
      addresses: ["127.0.0.1"],
      error: { kind: "UNREACHABLE", message: "http://127.0.0.1:8080 ECONNREFUSED" },
    };
    const result = decideLoopback([{ downloader: qb, probe }], []);
    expect(result.status).toBe("FAIL");
    expect(result.facts).toMatchObject({ answered: false, authOk: null, version: null });
    expect(text(result.summary)).toContain("http://127.0.0.1:8080");
    expect(text(result.summary)).toContain("ECONNREFUSED");
    expect(steps(result)).toContain("ECONNREFUSED");
    expect(text(result.guidance?.title, "zh-CN")).toContain("http://127.0.0.1:8080");
  });

  it("fails when the credentials are refused, keeping the version it told anyway", () => {
    const probe: DownloaderProbeResult = {
      answered: true,
      authOk: false,
      version: "3.00",
      addresses: ["127.0.0.1"],
      error: { kind: "CREDENTIALS_REFUSED", message: "Transmission refused the user name or password" },
    };
    const tr = { ...qb, tunnelId: "tr", kind: "transmission", url: "http://127.0.0.1:9091" };
    const result = decideLoopback([{ downloader: tr, probe }], []);
    expect(result.status).toBe("FAIL");
    expect(result.facts).toMatchObject({ answered: true, authOk: false, version: "3.00" });
    expect(text(result.summary)).toMatch(/refused the user name or password of tunnel tr/);
    expect(steps(result)).toContain("tunnels[].downloader");
  });

  it("fails from the push's refusal without a new login, saying why it did not try and how to try again", () => {
    const probe: DownloaderProbeResult = {
      answered: true,
      authOk: false,
      addresses: ["127.0.0.1"],
      error: { kind: "CREDENTIALS_REFUSED", message: "qBittorrent refused the user name or password" },
      reused: { by: "push", at: "2026-01-02T03:04:05.000Z" },
    };
    const result = decideLoopback([{ downloader: qb, probe }], []);
    expect(result.status).toBe("FAIL");
    expect(result.facts).toMatchObject({ authOk: false, reused: { by: "push" } });
    const summary = text(result.summary);
    expect(summary).toMatch(/refused the user name or password of tunnel qb/);
    expect(summary).toMatch(
      /did not log in again: the tunnel's port push met this refusal .*2026-01-02T03:04:05/,
    );
    expect(summary).toMatch(/ban/);
    expect(text(result.summary, "zh-CN")).toMatch(/没有再次登录：隧道的端口推送/);
    // The usual guidance for a refused login, then how to make AutoSTUN try again.
    expect(steps(result)).toContain("tunnels[].downloader");
    expect(steps(result)).toMatch(/save the tunnel/);
    expect(steps(result)).toContain('pushDownloaderPort(id: "qb")');
    expect(steps(result)).toContain("Push the port again");
    expect(steps(result, "zh-CN")).toContain('pushDownloaderPort(id: "qb")');
  });

  it("says nothing about a refusal it did not repeat when it logged in itself", () => {
    const probe: DownloaderProbeResult = {
      answered: true,
      authOk: false,
      addresses: ["127.0.0.1"],
      error: { kind: "CREDENTIALS_REFUSED", message: "qBittorrent refused the user name or password" },
    };
    const result = decideLoopback([{ downloader: qb, probe }], []);
    expect(result.facts).toMatchObject({ reused: null });
    expect(text(result.summary)).not.toMatch(/did not log in again/);
    expect(steps(result)).not.toContain("pushDownloaderPort");
  });

  it("names the API key, not a user name or password, when the tunnel signs in with a key", () => {
    const probe: DownloaderProbeResult = {
      answered: true,
      authOk: false,
      version: "5.2.0",
      addresses: ["127.0.0.1"],
      error: { kind: "CREDENTIALS_REFUSED", message: "qBittorrent refused the API key" },
    };
    const result = decideLoopback([{ downloader: { ...qb, usesApiKey: true }, probe }], []);
    expect(result.status).toBe("FAIL");
    for (const locale of ["en", "zh-CN"]) {
      const said = `${text(result.summary, locale)}\n${text(result.guidance?.title, locale)}\n${steps(result, locale)}`;
      expect(said).not.toMatch(/user name or password|用户名或密码/);
    }
    expect(text(result.summary)).toMatch(/refused the API key of tunnel qb/);
    expect(text(result.summary, "zh-CN")).toContain("API 密钥");
    expect(steps(result)).toContain("tunnels[].downloader.apiKey");
  });

  it("fails for a kind no extension provides", () => {
    const probe: DownloaderProbeResult = {
      answered: false,
      authOk: undefined,
      addresses: ["127.0.0.1"],
      error: { kind: "UNSUPPORTED", message: 'no extension provides the downloader kind "utorrent"' },
    };
    const result = decideLoopback([{ downloader: { ...qb, kind: "utorrent" }, probe }], []);
    expect(result.status).toBe("FAIL");
    expect(text(result.guidance?.title)).toContain("utorrent");
  });

  it("skips when no tunnel has a downloader, saying how to add one", () => {
    const result = decideLoopback([], []);
    expect(result.status).toBe("SKIP");
    expect(steps(result)).toContain("downloader:");
  });

  it("lets the worst downloader decide and lists all of them", () => {
    const remote = { ...qb, tunnelId: "far", url: "http://10.0.0.9:8080" };
    const result = decideLoopback(
      [
        { downloader: qb, probe: ok },
        { downloader: remote, probe: { ...ok, addresses: ["10.0.0.9"] } },
      ],
      [],
    );
    expect(result.status).toBe("WARN");
    expect(result.facts).toMatchObject({ tunnelId: "far" });
    expect(result.facts?.downloaders).toHaveLength(2);
    expect(text(result.summary)).toContain("2 downloaders checked");
  });

  it("counts a name as loopback only when every address it stands for is", () => {
    expect(locate(["127.0.0.1", "::1"], new Set())).toBe("loopback");
    expect(locate(["127.0.0.1", "10.0.0.9"], new Set())).toBe("this-host");
    expect(locate([], new Set())).toBe("elsewhere");
  });
});

/** The IPv6 calls downloader.loopback never makes: each fails the test if it does. */
const notAsked: Pick<Downloaders, "peers" | "ipv6Listening" | "listenOnIpv6"> = {
  peers: async () => expect.fail("downloader.loopback asked for peers"),
  ipv6Listening: async () => expect.fail("downloader.loopback asked about IPv6"),
  listenOnIpv6: async () => expect.fail("downloader.loopback changed a downloader"),
};

describe("downloader.loopback as an extension", () => {
  it("probes each configured downloader through Services.Downloaders and never sees a password", async () => {
    const asked: string[] = [];
    const downloaders: Downloaders = {
      ...notAsked,
      list: async () => [qb],
      probe: async (tunnelId) => {
        asked.push(tunnelId);
        return ok;
      },
    };
    const services = new Map<symbol, unknown>([
      [Services.Downloaders, downloaders],
      [Services.NetworkInfo, { addresses: async () => [] }],
    ]);
    const loaded = await loadBuiltin("downloader-loopback", services);
    expect(loaded.manifest.contributes?.checks?.[0]?.id).toBe("downloader.loopback");
    const result = await runLoadedCheck(loaded, "downloader.loopback", services);
    expect(result.status).toBe("PASS");
    expect(asked).toEqual(["qb"]);
    expect(JSON.stringify(result)).not.toMatch(/password/i);
  });

  it("leaves out a tunnel deleted between listing and probing", async () => {
    const downloaders: Downloaders = {
      ...notAsked,
      list: async () => [qb, { ...qb, tunnelId: "gone" }],
      probe: async (tunnelId) => {
        if (tunnelId === "gone") throw new Error("tunnel gone has no downloader configured");
        return ok;
      },
    };
    const services = new Map<symbol, unknown>([
      [Services.Downloaders, downloaders],
      [Services.NetworkInfo, { addresses: async () => [] }],
    ]);
    const loaded = await loadBuiltin("downloader-loopback", services);
    const result = await runLoadedCheck(loaded, "downloader.loopback", services);
    expect(result.status).toBe("PASS");
    expect(result.facts?.downloaders).toHaveLength(1);
  });
});
