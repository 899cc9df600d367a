import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { I18nProvider } from "../i18n/I18nContext.js";
import type { Locale } from "../i18n/locale.js";
import { translatorFor } from "../i18n/translate.js";
import { TunnelCard } from "./TunnelCard.js";
import type { Tunnel } from "./types.js";

// The card rendered to HTML as the browser gets it: which parts show for what the daemon reports.

const now = Date.parse("2026-05-01T12:00:00.000Z");

const base: Tunnel = {
  id: "qb",
  state: "OPEN",
  reason: "open",
  path: "USERSPACE",
  pathCost: "",
  localPort: 40666,
  publicAddress: { ip: "203.0.113.5", port: 40666 },
  target: "127.0.0.1:6881",
  origin: "CONFIG",
  lastKeepaliveAt: null,
  lastRecoveryAt: null,
  openSince: "2026-05-01T11:00:00.000Z",
  recoveryCount: 0,
  nextRetryAt: null,
  stats: { active: 0, handled: 0, blocked: 0, bytesIn: 0, bytesOut: 0 },
  privateAddress: null,
  listenPort: null,
  downloader: null,
  hooks: null,
  upnp: null,
  udp: null,
  ipv6: null,
};

const sameUdp: NonNullable<Tunnel["udp"]> = {
  state: "OPEN",
  reason: "UDP holds the TCP public port",
  publicAddress: { ip: "203.0.113.5", port: 40666 },
  localPort: 40666,
  samePort: true,
  lastKeepaliveAt: "2026-05-01T11:59:55.000Z",
  match: "SAME_LOCAL_PORT",
  search: null,
  stats: { active: 2, handled: 9, blocked: 1, dropped: 0 },
};

const missedUdp: NonNullable<Tunnel["udp"]> = {
  state: "FAILED",
  reason: "no UDP mapping on port 40666 after 64 sockets; TCP keeps working",
  publicAddress: { ip: "203.0.113.5", port: 38811 },
  localPort: 51000,
  samePort: false,
  lastKeepaliveAt: null,
  match: null,
  search: {
    outcome: "NOT_FOUND",
    code: "BUDGET_SPENT",
    sockets: 64,
    packets: 80,
    elapsedMs: 9000,
    at: now.toString(),
  },
  stats: null,
};

const refused: Tunnel["downloader"] = {
  kind: "qbittorrent",
  url: "http://127.0.0.1:8080",
  state: "RETRYING",
  lastPushAt: "2026-05-01T11:59:50.000Z",
  verifiedPort: null,
  error: "qBittorrent refused the user name or password.",
  errorKind: "CREDENTIALS_REFUSED",
  requestedPort: 40666,
  nextRetryAt: "2026-05-01T12:00:30.000Z",
  attempts: 2,
};

function render(
  tunnel: Tunnel,
  options: { locale?: Locale; pushing?: boolean; pushError?: string } = {},
): string {
  const locale = options.locale ?? "en";
  const card = createElement(TunnelCard, {
    tunnel,
    history: [],
    openSeenAt: undefined,
    now,
    busy: false,
    onStart() {},
    onStop() {},
    onPush() {},
    pushing: options.pushing ?? false,
    pushError: options.pushError,
  });
  return renderToStaticMarkup(
    createElement(I18nProvider, { value: { locale, t: translatorFor(locale) } }, card),
  );
}

describe("TunnelCard", () => {
  it("shows a refused password under its kind with the daemon's words, the next try and the push button", () => {
    const html = render({ ...base, downloader: refused });
    expect(html).toContain('data-error-kind="CREDENTIALS_REFUSED"');
    expect(html).toContain('<strong class="tunnel__problem-kind">Login refused</strong>');
    expect(html).toContain("qBittorrent refused the user name or password.");
    expect(html).toContain("in 30s, attempt 3");
    expect(html).toContain("10s ago");
    expect(html).toMatch(
      /<button[^>]*aria-label="Push the port again to the downloader of qb"[^>]*>Push the port again</,
    );
    expect(html).not.toContain("The daemon did not push the port");
  });

  it("says the same in Chinese", () => {
    const html = render({ ...base, downloader: refused }, { locale: "zh-CN" });
    expect(html).toContain("登录被拒绝");
    expect(html).toContain("30s后，第 3 次");
    expect(html).toContain("重新推送端口");
  });

  it("keeps the push button busy while it runs, disabled before the tunnel is open, and shows a refusal", () => {
    expect(render({ ...base, downloader: refused }, { pushing: true })).toMatch(
      /<button[^>]*disabled=""[^>]*aria-busy="true"[^>]*>Pushing…</,
    );
    expect(render({ ...base, state: "OPENING", downloader: refused })).toMatch(
      /<button[^>]*disabled=""[^>]*aria-busy="false"[^>]*>Push the port again</,
    );
    const refusedPush = render(
      { ...base, downloader: refused },
      { pushError: "tunnel qb has no public port" },
    );
    expect(refusedPush).toContain('role="alert"');
    expect(refusedPush).toContain("The daemon did not push the port: tunnel qb has no public port");
  });

  it("leaves out the parts the daemon has nothing to say about, and shows an unknown LAN address as a dash", () => {
    const none = render(base);
    expect(none).not.toContain("data-downloader");
    expect(none).not.toContain("data-upnp");
    expect(none).not.toContain("data-hooks");
    expect(none).toContain('<dt>LAN address</dt><dd data-private-address="true">—</dd>');
  });

  it("shows a verified port without a next try", () => {
    const verified = {
      ...refused,
      state: "VERIFIED" as const,
      verifiedPort: 40666,
      error: null,
      errorKind: null,
    };
    const html = render({ ...base, downloader: verified });
    expect(html).toContain("listens on 40666 (verified)");
    expect(html).toMatch(/data-next-try="true">—</);
    expect(html).not.toContain("data-downloader-error");
  });

  it("shows the home router's mapping and flags a second NAT beyond it with a way to the guidance", () => {
    const html = render({
      ...base,
      upnp: {
        state: "MAPPED",
        protocol: "UPNP",
        gateway: "http://192.168.1.1:5000/rootDesc.xml",
        externalIp: "100.72.10.20",
        externalIpKind: "CGNAT",
        secondNat: true,
        externalPort: 40666,
        leaseEndsAt: "2026-05-01T13:00:00.000Z",
        error: null,
      },
    });
    expect(html).toContain("UPnP IGD");
    expect(html).toContain(">mapped<");
    expect(html).toContain(">192.168.1.1:5000<");
    expect(html).toContain("100.72.10.20:<wbr/>40666");
    expect(html).toContain("in 1h 00m");
    expect(html).toContain("Another NAT stands beyond the home router");
    // The wizard has no upnp.gateway step (a link there would land on whatever step is current): the
    // Checks page holds that check's guidance.
    expect(html).toContain('href="#/checks"');
    expect(html).not.toContain("#/wizard/");
  });

  it("shows a router that refused the mapping with its words and no flag for a public WAN address", () => {
    const html = render({
      ...base,
      upnp: {
        state: "FAILED",
        protocol: "UPNP",
        gateway: "http://192.168.1.1:5000/rootDesc.xml",
        externalIp: "198.51.100.20",
        externalIpKind: "RESERVED",
        secondNat: false,
        externalPort: null,
        leaseEndsAt: null,
        error: "ConflictInMappingEntry (718)",
      },
    });
    expect(html).toContain(">failed<");
    expect(html).toContain("ConflictInMappingEntry (718)");
    expect(html).not.toContain("data-another-nat");
  });

  it("names the relay port only when an nftables redirect puts our listener off the local port", () => {
    expect(render({ ...base, listenPort: 41000 })).toContain("relay port 41000");
    expect(render({ ...base, listenPort: 40666 })).not.toContain("relay port");
    expect(render({ ...base, listenPort: null })).not.toContain("relay port");
  });

  it("shows each hook's outcome, the address they were told, and the private address by the local port", () => {
    const html = render({
      ...base,
      privateAddress: { ip: "192.168.1.20", port: 40666 },
      hooks: {
        ok: false,
        lastRunAt: "2026-05-01T11:58:00.000Z",
        publicAddress: { ip: "203.0.113.5", port: 40666 },
        command: { ok: true, error: null, output: null },
        webhook: { ok: false, error: "the receiver answered 503", output: null },
      },
    });
    expect(html).toContain('data-hooks="failed"');
    expect(html).toContain("2m 00s ago");
    expect(html).toMatch(/data-hook="command"[^>]*>.*succeeded/);
    expect(html).toContain("failed: the receiver answered 503");
    expect(html).toContain("192.168.1.20:<wbr/>40666");
    expect(html.indexOf("Local port")).toBeLessThan(html.indexOf("LAN address"));
  });

  it("shows what a failed command printed, and a failure without a reason as such", () => {
    const html = render({
      ...base,
      hooks: {
        ok: false,
        lastRunAt: "2026-05-01T11:58:00.000Z",
        publicAddress: { ip: "203.0.113.5", port: 40666 },
        command: { ok: false, error: "exited with code 2", output: "curl: (7) could not connect" },
        webhook: { ok: false, error: null, output: null },
      },
    });
    expect(html).toContain("failed: exited with code 2");
    expect(html).toMatch(/<pre[^>]*>curl: \(7\) could not connect<\/pre>/);
    expect(html).toContain("failed, without saying why");
    expect(html).not.toContain("failed: ?");
  });

  it("shows a counter the daemon does not know (null) as a dash, never as a zero", () => {
    const unknown = { active: null, handled: null, blocked: null, bytesIn: null, bytesOut: null };
    const html = render({ ...base, state: "STOPPED", stats: unknown });
    for (const counter of ["active", "handled", "blocked"])
      expect(html).toContain(`data-counter="${counter}">–</span>`);
    expect(render(base)).toContain('data-counter="active">0</span>');
  });

  it("shows UDP on the TCP port with its state, address, keep-alive, how the port matched and its sessions", () => {
    const html = render({ ...base, udp: sameUdp });
    expect(html).toContain('data-udp="OPEN"');
    expect(html).toMatch(/data-udp-state="true">Open</);
    expect(html).toContain("Same port as TCP: uTP and DHT reach the port the downloader announces.");
    expect(html).toContain("203.0.113.5:<wbr/>40666");
    expect(html).toMatch(/data-udp-keepalive="true">5s ago</);
    expect(html).toContain("the router keeping the local port");
    expect(html).toContain("2 live, 9 handled, 1 blocked, 0 dropped");
    expect(html).not.toContain("UDP on another port");
    expect(html).not.toContain("data-udp-search");
  });

  it("says UDP is on another port and why, and what the search tried", () => {
    const html = render({ ...base, udp: missedUdp });
    expect(html).toMatch(/data-udp-state="true">Failed</);
    expect(html).toContain(
      "UDP on another port: no UDP mapping on port 40666 after 64 sockets; TCP keeps working",
    );
    expect(html).toContain("203.0.113.5:<wbr/>38811");
    expect(html).toMatch(/data-udp-keepalive="true">—</);
    expect(html).toContain(
      "The last search tried 64 sockets and 80 packets in 9.0 s without finding the equal port. <code>BUDGET_SPENT</code>",
    );
    expect(html).not.toContain("Same port as TCP");
    expect(html).not.toContain("data-udp-sessions");
  });

  it("says the same about UDP in Chinese, and shows no UDP part for a tunnel with udp: false", () => {
    expect(render({ ...base, udp: sameUdp }, { locale: "zh-CN" })).toContain("与 TCP 同一端口");
    expect(render({ ...base, udp: missedUdp }, { locale: "zh-CN" })).toContain("UDP 在另一个端口上：");
    expect(render(base)).not.toContain("data-udp");
  });

  it("shows the IPv6 path with its pinhole open until the lease ends, the router and what it lets in", () => {
    const html = render({
      ...base,
      ipv6: {
        address: "2a0b:8877:77::2",
        port: 6881,
        pinhole: {
          state: "OPEN",
          protocol: "UPNP",
          gateway: "http://[2a0b:8877:77::1]:5000/rootDesc.xml",
          tcp: true,
          udp: true,
          leaseEndsAt: "2026-05-01T12:30:00.000Z",
          error: null,
        },
      },
    });
    expect(html).toContain('data-ipv6-pinhole="OPEN"');
    expect(html).toContain("[2a0b:8877:77::2]:<wbr/>6881");
    const clock = new Date("2026-05-01T12:30:00.000Z").toLocaleString("en", {
      hour: "2-digit",
      minute: "2-digit",
    });
    expect(html).toContain(
      `<dt>Pinhole</dt><dd data-ipv6-pinhole-state="true">open until ${clock} (in 30m 00s)</dd>`,
    );
    expect(html).toContain("UPnP IGD");
    expect(html).toContain("[2a0b:8877:77::1]:5000");
    expect(html).toContain("TCP, UDP");
  });

  it("says why a pinhole is not open, that none is asked for while UPnP is off, and nothing without IPv6", () => {
    const failed = render({
      ...base,
      ipv6: {
        address: "2a0b:8877:77::2",
        port: 6881,
        pinhole: {
          state: "FAILED",
          protocol: "UPNP",
          gateway: null,
          tcp: false,
          udp: false,
          leaseEndsAt: null,
          error: "606 Action not authorized",
        },
      },
    });
    expect(failed).toMatch(/data-ipv6-pinhole-state="true">failed</);
    expect(failed).toContain("606 Action not authorized");
    expect(failed).toContain("nothing yet");
    const off = render({ ...base, ipv6: { address: "2a0b:8877:77::2", port: 6881, pinhole: null } });
    expect(off).toContain("none (UPnP is off in AutoSTUN)");
    expect(render({ ...base, ipv6: { address: null, port: 6881, pinhole: null } })).toContain(
      "no global IPv6 address",
    );
    expect(render(base)).not.toContain("data-ipv6");
    expect(
      render(
        { ...base, ipv6: { address: "2a0b:8877:77::2", port: 6881, pinhole: null } },
        { locale: "zh-CN" },
      ),
    ).toContain("没有（AutoSTUN 未启用 UPnP）");
  });
});
