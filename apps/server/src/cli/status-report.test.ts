import { describe, expect, it } from "vitest";
import { type StatusData, type StatusTunnel, statusText } from "./status-report.js";

function tunnel(id: string, change: Partial<StatusTunnel>): StatusTunnel {
  return {
    id,
    state: "OPEN",
    reason: "open on its public address",
    localPort: 40_611,
    publicAddress: { ip: "203.0.113.9", port: 40_611 },
    path: "USERSPACE",
    stats: { active: 1, handled: 4, blocked: 0, bytesIn: 100, bytesOut: 200 },
    downloader: null,
    upnp: null,
    ipv6: null,
    udp: {
      state: "OPEN",
      reason: "UDP holds the TCP public port",
      publicAddress: { ip: "203.0.113.9", port: 40_611 },
      samePort: true,
    },
    ...change,
  };
}

const data: StatusData = {
  tunnels: [
    tunnel("qb", {
      downloader: {
        kind: "qbittorrent",
        state: "VERIFIED",
        requestedPort: 40_611,
        verifiedPort: 40_611,
        errorKind: null,
        error: null,
      },
      upnp: {
        state: "MAPPED",
        protocol: "UPNP",
        externalIp: "192.168.1.20",
        externalPort: 40_611,
        error: null,
      },
    }),
    tunnel("tr", {
      downloader: {
        kind: "transmission",
        state: "FAILED",
        requestedPort: 40_612,
        verifiedPort: null,
        errorKind: "CREDENTIALS_REFUSED",
        error: "transmission refused the user name or password",
      },
      upnp: {
        state: "NO_GATEWAY",
        protocol: null,
        externalIp: null,
        externalPort: null,
        error: "no router answered",
      },
    }),
    tunnel("plain", {}),
  ],
  checks: [],
};

/** The lines printed under one tunnel, up to the next tunnel or the checks. */
function block(text: string, id: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((line) => line.startsWith(`  ${id}`));
  const end = lines.findIndex((line, i) => i > start && /^ {2}\S|^\S/.test(line));
  return lines.slice(start, end);
}

describe("autostun status as text", () => {
  it("shows each tunnel's downloader (kind, state, verified or asked port, why it failed) and UPnP mapping", () => {
    const text = statusText(data, "en");
    expect(block(text, "qb")).toEqual(
      expect.arrayContaining([
        "    downloader qbittorrent: VERIFIED, listening on verified port 40611",
        "    UPnP (UPNP): MAPPED, the home router forwards 192.168.1.20:40611 to this host",
      ]),
    );
    expect(block(text, "tr")).toEqual(
      expect.arrayContaining([
        "    downloader transmission: FAILED, asked to take port 40612, not verified yet",
        "      why: CREDENTIALS_REFUSED: transmission refused the user name or password",
        "    UPnP: NO_GATEWAY",
        "      why: no router answered",
      ]),
    );
    expect(block(text, "plain").join("\n")).not.toMatch(/downloader|UPnP/);
  });

  it("says the same in Chinese for zh-CN, keeping the states and numbers", () => {
    const text = statusText(data, "zh-CN");
    expect(text.split("\n")[0]).toBe("隧道：");
    expect(block(text, "qb")).toContain("    下载器 qbittorrent：VERIFIED，已验证在端口 40611 上监听");
    expect(block(text, "tr")).toContain("    下载器 transmission：FAILED，已要求使用端口 40612，尚未验证");
    expect(block(text, "tr")).toContain("    UPnP：NO_GATEWAY");
    expect(text).toContain("UPnP（UPNP）：MAPPED，家用路由器将 192.168.1.20:40611 转发到本机");
    expect(text).not.toContain("listening on");
  });

  it("prints a tunnel that has no public address yet and no downloader port pushed", () => {
    const text = statusText(
      {
        tunnels: [
          tunnel("new", {
            state: "PUNCHING",
            publicAddress: null,
            localPort: null,
            downloader: {
              kind: "aria2",
              state: "IDLE",
              requestedPort: null,
              verifiedPort: null,
              errorKind: null,
              error: null,
            },
          }),
        ],
        checks: [],
      },
      "en",
    );
    expect(text).toContain("  new: PUNCHING — no public address (local port not chosen, userspace)");
    expect(text).toContain("    downloader aria2: IDLE, no port pushed yet");
  });

  it("says the counters are not known when the daemon answers null for them, instead of printing zeros", () => {
    const unknown = { active: null, handled: null, blocked: null, bytesIn: null, bytesOut: null };
    const text = statusText(
      { tunnels: [tunnel("off", { state: "STOPPED", stats: unknown })], checks: [] },
      "en",
    );
    expect(block(text, "off")).toContain(
      "    counters not known (the tunnel is not forwarding, or the kernel would not tell)",
    );
    expect(text).not.toMatch(/null|0 live/);
    expect(statusText(data, "en")).toContain("1 live, 4 handled, 0 blocked, 100 bytes in, 200 bytes out");
  });

  it("gives each tunnel's UDP side one line: same port as TCP, or where it is and why not", () => {
    const missed = {
      state: "FAILED",
      reason: "no UDP mapping on port 40612 after 64 sockets; TCP keeps working",
      publicAddress: { ip: "203.0.113.9", port: 38_811 },
      samePort: false,
    };
    const opening = {
      state: "OPENING",
      reason: "asking the STUN servers",
      publicAddress: null,
      samePort: false,
    };
    const udp: StatusData = {
      tunnels: [
        tunnel("qb", {}),
        tunnel("tr", { udp: missed }),
        tunnel("new", { udp: opening }),
        tunnel("tcp", { udp: null }),
      ],
      checks: [],
    };
    const text = statusText(udp, "en");
    expect(block(text, "qb")).toContain("    UDP: OPEN — 203.0.113.9:40611, same port as TCP");
    expect(block(text, "tr")).toContain(
      "    UDP: FAILED — 203.0.113.9:38811, not on the TCP port: no UDP mapping on port 40612 after 64 sockets; TCP keeps working",
    );
    expect(block(text, "new")).toContain(
      "    UDP: OPENING — no public address, not on the TCP port: asking the STUN servers",
    );
    expect(block(text, "tcp")).toContain("    UDP: off (udp: false in the tunnel's config)");

    const chinese = statusText(udp, "zh-CN");
    expect(block(chinese, "qb")).toContain("    UDP：OPEN — 203.0.113.9:40611，与 TCP 同一端口");
    expect(block(chinese, "tr")).toContain(
      "    UDP：FAILED — 203.0.113.9:38811，不在 TCP 端口上：no UDP mapping on port 40612 after 64 sockets; TCP keeps working",
    );
    expect(block(chinese, "tcp")).toContain("    UDP：已关闭（隧道配置中 udp: false）");
  });

  it("shows where IPv6 peers reach the downloader and the router's pinhole, or why there is none", () => {
    const text = (locale: string) =>
      statusText(
        {
          tunnels: [
            tunnel("qb", {
              ipv6: {
                address: "2001:db8:1::10",
                port: 40_611,
                pinhole: {
                  state: "OPEN",
                  protocol: "UPNP",
                  tcp: true,
                  udp: true,
                  leaseEndsAt: "2026-12-08T02:00:00.000Z",
                  error: null,
                },
              },
            }),
            tunnel("lan", {
              ipv6: {
                address: null,
                port: 6881,
                pinhole: {
                  state: "UNSUPPORTED",
                  protocol: null,
                  tcp: false,
                  udp: false,
                  leaseEndsAt: null,
                  error: "the downloader runs on another machine",
                },
              },
            }),
            tunnel("off", { ipv6: { address: "2001:db8:1::10", port: 51_413, pinhole: null } }),
          ],
          checks: [],
        },
        locale,
      );
    const en = text("en");
    expect(block(en, "qb")).toEqual(
      expect.arrayContaining([
        "    IPv6: peers reach the downloader at [2001:db8:1::10]:40611",
        "    IPv6 pinhole (UPNP): OPEN for TCP+UDP until 2026-12-08T02:00:00.000Z",
      ]),
    );
    expect(block(en, "lan")).toEqual(
      expect.arrayContaining([
        "    IPv6: the downloader's port is 6881; its IPv6 address is not known",
        "    IPv6 pinhole: UNSUPPORTED",
        "      why: the downloader runs on another machine",
      ]),
    );
    expect(block(en, "off")).toContain("    IPv6: peers reach the downloader at [2001:db8:1::10]:51413");
    expect(block(en, "off").join("\n")).not.toContain("pinhole");
    const zh = text("zh-CN");
    expect(block(zh, "qb")).toContain(
      "    IPv6 针孔（UPNP）：OPEN，放行 TCP+UDP，有效至 2026-12-08T02:00:00.000Z",
    );
    expect(block(zh, "lan")).toContain("    IPv6 针孔：UNSUPPORTED");
  });
});
