import { localize, Services, type TunnelActivityEntry } from "@autostun/plugins-api";
import { describe, expect, it } from "vitest";
import { loadBuiltin, memoryLogger, runLoadedCheck } from "../testing/run-check.js";
import {
  downloaderTunnel,
  IncomingPeerRecord,
  peerHost,
  pickSubject,
  readSwarmPeers,
  type SwarmReading,
} from "./downloader-facts.js";
import { parseIpAddr } from "./host-facts.js";
import type { HostFirewall6 } from "./host-firewall.js";
import type { RouterFiltering } from "./router-filtering.js";
import { decideIpv6, type Ipv6Input } from "./verdict.js";

const ADDRESS = "2a0b:8877:77::2";
const en = (text: unknown) => localize(text as never, "en");
const zh = (text: unknown) => localize(text as never, "zh-CN");

const listening = { port: 51413, tcp: ["::"], udp: ["::"], tcpOnIpv6: true, udpOnIpv6: true };
const openFirewall: HostFirewall6 = {
  port: 51413,
  manager: "none",
  tcp: { accepted: true, decisions: [] },
  udp: { accepted: true, decisions: [] },
  allow: [],
  notes: [],
  sources: [],
  applied: [],
};
const router = (filtering: RouterFiltering["filtering"]): RouterFiltering => ({
  from: ADDRESS,
  filtering,
  tried: ["[2a0b:8877:66::10]:3478"],
  answered: ["[2a0b:8877:66::10]:3478"],
  problems: [],
});
const OPEN_PINHOLE = {
  state: "OPEN" as const,
  protocol: "upnp" as const,
  gateway: "http://[2a0b:8877:77::1]:5000/rootDesc.xml",
  tcp: true,
  udp: true,
};

const input = (over: Partial<Ipv6Input> = {}): Ipv6Input => ({
  platform: "linux",
  host: {
    addresses: parseIpAddr(
      JSON.stringify([
        { ifname: "eth0", addr_info: [{ family: "inet6", local: ADDRESS, prefixlen: 64, scope: "global" }] },
      ]),
    ),
    defaultRoute: { gateway: "fe80::1", interface: "eth0" },
    listeners: listening,
    unreadable: [],
  },
  port: 51413,
  router: router("ADDRESS_AND_PORT_DEPENDENT"),
  subject: { port: 51413, portSource: "tunnel", tunnelId: "qb", address: ADDRESS },
  firewall: openFirewall,
  ...over,
});

const swarm = (over: Partial<SwarmReading["tunnels"][number]> = {}): SwarmReading => ({
  tunnels: [
    { tunnelId: "qb", supported: true, peers: 3, ipv6: 1, incomingIpv6: 0, unknownDirectionIpv6: 0, ...over },
  ],
  incoming: [],
});

describe("the downloader's port, from the tunnels first", () => {
  const entry = (id: string, ipv6?: TunnelActivityEntry["ipv6"]): TunnelActivityEntry => ({
    id,
    state: "OPEN",
    ...(ipv6 ? { ipv6 } : {}),
  });
  it("takes the tunnel holding an open pinhole, else the first with IPv6, else the config key", () => {
    const tunnels = [
      entry("a"),
      entry("b", { port: 6881 }),
      entry("c", { port: 51413, address: ADDRESS, pinhole: OPEN_PINHOLE }),
    ];
    expect(pickSubject(tunnels, 1234)).toMatchObject({ port: 51413, portSource: "tunnel", tunnelId: "c" });
    expect(pickSubject(tunnels.slice(0, 2), 1234)).toMatchObject({ port: 6881, tunnelId: "b" });
    expect(pickSubject([entry("a")], 1234)).toEqual({ port: 1234, portSource: "config" });
    expect(pickSubject([], undefined)).toEqual({ port: undefined, portSource: "unknown" });
  });
});

describe("proof from the swarm", () => {
  it("counts only peers that came in over a global IPv6 address; an untold direction proves nothing", () => {
    const { summary, incoming } = readSwarmPeers("qb", {
      supported: true,
      peers: [
        { address: "[2a0b:8877:66::20]:6881", incoming: true, client: "qBittorrent 4.5.2", transport: "TCP" },
        { address: "[2a0b:8877:66::21]:6881", incoming: false },
        { address: "[2a0b:8877:66::22]:6881", incoming: undefined },
        { address: "[fd00::5]:6881", incoming: true },
        { address: "[::ffff:198.51.100.7]:6881", incoming: true },
        { address: "198.51.100.7:6881", incoming: true },
      ],
    });
    expect(summary).toMatchObject({ peers: 6, ipv6: 3, incomingIpv6: 1, unknownDirectionIpv6: 1 });
    expect(incoming).toEqual([
      { tunnelId: "qb", address: "[2a0b:8877:66::20]:6881", client: "qBittorrent 4.5.2", transport: "TCP" },
    ]);
    expect(peerHost("198.51.100.7:6881")).toBe("198.51.100.7");
    expect(peerHost("2a0b::1")).toBe("2a0b::1");
  });

  it("remembers when a peer was first seen across runs", () => {
    const record = new IncomingPeerRecord(2);
    const peer = { tunnelId: "qb", address: "[2a0b:8877:66::20]:6881" };
    record.note([peer], new Date("2026-12-08T00:00:00Z"));
    const later = record.note(
      [{ ...peer, address: "[2a0b:8877:66::20]:51000" }],
      new Date("2026-12-08T01:00:00Z"),
    );
    expect(later).toHaveLength(1);
    expect(later[0]).toMatchObject({
      firstSeenAt: "2026-12-08T00:00:00.000Z",
      lastSeenAt: "2026-12-08T01:00:00.000Z",
    });
    // Kept small: a third address pushes the oldest out.
    record.note([{ tunnelId: "qb", address: "[2a0b::2]:1" }], new Date("2026-12-08T02:00:00Z"));
    const all = record.note([{ tunnelId: "qb", address: "[2a0b::3]:1" }], new Date("2026-12-08T03:00:00Z"));
    expect(all.map((p) => p.address)).toEqual(["[2a0b::2]:1", "[2a0b::3]:1"]);
  });

  it("passes with when and from where once an IPv6 peer came in, whatever the measurement said", () => {
    const proof = {
      tunnelId: "qb",
      address: "[2a0b:8877:66::20]:6881",
      client: "qBittorrent 4.5.2",
      firstSeenAt: "2026-12-08T00:00:00.000Z",
      lastSeenAt: "2026-12-08T00:00:00.000Z",
    };
    const result = decideIpv6(input({ proofs: [proof], swarm: swarm({ incomingIpv6: 1 }) }));
    expect(result.status).toBe("PASS");
    expect(en(result.summary)).toContain("[2a0b:8877:66::20]:6881 (qBittorrent 4.5.2)");
    expect(en(result.summary)).toContain("2026-12-08T00:00:00.000Z");
    expect(zh(result.summary)).toContain("首次发现于");
    expect(result.facts?.incomingIpv6Peers).toEqual([proof]);
  });

  it("says in the facts when IPv6 peers came without a direction", () => {
    const result = decideIpv6(
      input({ router: router("ENDPOINT_INDEPENDENT"), swarm: swarm({ unknownDirectionIpv6: 1 }) }),
    );
    expect(result.status).toBe("PASS");
    expect(result.facts?.swarm).toMatchObject({ note: expect.stringMatching(/prove nothing/) });
    expect(en(result.guidance?.steps[0])).toMatch(/does not say who connected to whom/);
  });
});

describe("which downloader is asked about IPv6", () => {
  it("is the tunnel the port came from, else the only one with a downloader", () => {
    expect(downloaderTunnel("qb", ["tr", "qb"])).toBe("qb");
    expect(downloaderTunnel("gone", ["tr"])).toBeUndefined();
    expect(downloaderTunnel(undefined, ["tr"])).toBe("tr");
    expect(downloaderTunnel(undefined, ["tr", "qb"])).toBeUndefined();
  });
});

describe("a pinhole AutoSTUN holds", () => {
  it("turns the router's dependent filtering from FAIL into WARN for that port until a peer comes in", () => {
    const waiting = decideIpv6(
      input({
        subject: {
          port: 51413,
          portSource: "tunnel",
          tunnelId: "qb",
          address: ADDRESS,
          pinhole: OPEN_PINHOLE,
        },
      }),
    );
    expect(waiting.status).toBe("WARN");
    expect(en(waiting.summary)).toMatch(/^Pinhole open, no IPv6 peer has come in yet/);
    expect(waiting.facts?.pinhole).toMatchObject({ state: "OPEN" });
    const failed = decideIpv6(
      input({
        subject: {
          port: 51413,
          portSource: "tunnel",
          tunnelId: "qb",
          pinhole: { ...OPEN_PINHOLE, state: "NO_GATEWAY" },
        },
      }),
    );
    expect(failed.status).toBe("FAIL");
    expect(en(failed.summary)).toMatch(/router's IPv6 firewall/);
  });
});

describe("a host firewall only its own settings can change", () => {
  it("fails naming the layer and points to the settings, offering no command it cannot run", () => {
    const dsm: HostFirewall6 = {
      ...openFirewall,
      manager: "dsm",
      tcp: {
        accepted: false,
        decisions: [
          { layer: "iptables-legacy filter INPUT", verdict: "drop", decidedBy: "chain INPUT policy DROP" },
        ],
      },
    };
    const result = decideIpv6(input({ router: router("ENDPOINT_INDEPENDENT"), firewall: dsm }));
    expect(result.status).toBe("FAIL");
    expect(en(result.summary)).toContain("TCP: iptables-legacy filter INPUT: chain INPUT policy DROP");
    expect(result.remedies).toEqual([]);
    expect(result.guidance?.steps.map(en).join("\n")).toContain("Control Panel → Security → Firewall");
  });
});

describe("a measurement this host's own firewall hides", () => {
  it("is not blamed on the router when the host drops unsolicited UDP to the probes' ports", () => {
    const probePort = {
      port: 32768,
      accepted: false,
      droppedBy: "nftables inet filter input: chain input policy drop",
    };
    const result = decideIpv6(input({ probePort }));
    expect(result.status).toBe("WARN");
    expect(en(result.summary)).toContain("dropped by this host's own firewall");
    expect(en(result.summary)).toContain("nftables inet filter input");
    expect(zh(result.summary)).toContain("本机自身的防火墙");
    // With the probes' ports open, the same measurement is the router's.
    expect(decideIpv6(input({ probePort: { port: 32768, accepted: true } })).status).toBe("FAIL");
  });
});

describe("the client listening on IPv6", () => {
  it("fails with the listen-on-ipv6 remedy when the client's setting can be changed through its API", () => {
    const result = decideIpv6(
      input({
        router: router("ENDPOINT_INDEPENDENT"),
        host: { ...input().host, listeners: { ...listening, tcp: ["0.0.0.0"], tcpOnIpv6: false } },
        client: {
          tunnelId: "qb",
          listens: false,
          setting: "current_interface_address = 0.0.0.0",
          changeable: true,
        },
      }),
    );
    expect(result.status).toBe("FAIL");
    expect(en(result.summary)).toContain("current_interface_address = 0.0.0.0");
    expect(result.remedies?.map((r) => r.id)).toEqual(["listen-on-ipv6"]);
  });

  it("trusts the socket over the setting when ss sees the client listening on [::]", () => {
    const result = decideIpv6(
      input({
        router: router("ENDPOINT_INDEPENDENT"),
        client: {
          tunnelId: "qb",
          listens: false,
          setting: "current_interface_address = 0.0.0.0",
          changeable: true,
        },
      }),
    );
    expect(result.status).toBe("PASS");
  });

  it("names the setting instead when only the client's config file can change it", () => {
    const result = decideIpv6(
      input({
        router: router("ENDPOINT_INDEPENDENT"),
        // The client runs on another machine: ss sees nothing here, its setting decides.
        host: { ...input().host, listeners: null },
        client: { tunnelId: "tr", listens: false, setting: "bind-address-ipv6 = ::1", changeable: false },
      }),
    );
    expect(result.status).toBe("FAIL");
    expect(result.remedies).toBeUndefined();
    expect(en(result.guidance?.steps[0])).toContain("set bind-address-ipv6 = ::1");
  });

  it("warns when TCP accepts IPv6 but the UDP socket (uTP, DHT) is IPv4-only", () => {
    const result = decideIpv6(
      input({
        router: router("ENDPOINT_INDEPENDENT"),
        host: { ...input().host, listeners: { ...listening, udp: ["0.0.0.0"], udpOnIpv6: false } },
      }),
    );
    expect(result.status).toBe("WARN");
    expect(en(result.summary)).toMatch(/uTP peers and the DHT/);
  });

  it("applies listen-on-ipv6 through Downloaders.listenOnIpv6 for the tunnel, only when asked", async () => {
    const told: string[] = [];
    const services = new Map<symbol, unknown>([
      [
        Services.TunnelActivity,
        { tunnels: async () => [{ id: "qb", state: "OPEN", ipv6: { port: 51413 } }] },
      ],
      [
        Services.Downloaders,
        {
          list: async () => [
            { tunnelId: "qb", kind: "qbittorrent", url: "http://127.0.0.1:8080", hasCredentials: true },
          ],
          listenOnIpv6: async (id: string) => void told.push(id),
        },
      ],
    ]);
    const loaded = await loadBuiltin("ipv6-reachability", services, {});
    expect(told).toEqual([]);
    const outcome = await loaded.checks.get("ipv6.reachability")?.applyRemedy?.("listen-on-ipv6", {
      signal: new AbortController().signal,
      logger: memoryLogger(),
      services: { get: <T>(token: symbol) => services.get(token) as T },
    } as never);
    expect(outcome?.ok).toBe(true);
    expect(told).toEqual(["qb"]);
  });
});

describe("the whole check with a downloader", () => {
  it("asks the tunnel's downloader whether it listens and for its peers, and passes on an incoming IPv6 peer", async () => {
    const outputs: Record<string, string> = {
      "ip -j -6 addr": JSON.stringify([
        { ifname: "eth0", addr_info: [{ family: "inet6", local: ADDRESS, prefixlen: 64, scope: "global" }] },
      ]),
      "ip -j -6 route show default": '[{"dst":"default","dev":"eth0"}]',
      "ss -ltnH": "LISTEN 0 4096 *:51413 *:*",
      "ss -lunH": "UNCONN 0 0 *:51413 *:*",
    };
    const services = new Map<symbol, unknown>([
      [Services.HostInfo, { platform: "linux", isPrivileged: true }],
      [
        Services.CommandRunner,
        {
          run: async (file: string, args: string[]) => {
            const stdout = outputs[[file, ...args].join(" ")];
            return stdout === undefined
              ? { exitCode: undefined, stdout: "", stderr: "", error: "ENOENT" }
              : { exitCode: 0, stdout, stderr: "" };
          },
        },
      ],
      [Services.SystemFiles, { readText: async () => undefined, exists: async () => false }],
      [Services.StunSettings, { udp: [], tcp: [] }],
      [
        Services.TunnelActivity,
        { tunnels: async () => [{ id: "qb", state: "OPEN", ipv6: { port: 51413 } }] },
      ],
      [
        Services.Downloaders,
        {
          list: async () => [
            { tunnelId: "qb", kind: "qbittorrent", url: "http://127.0.0.1:8080", hasCredentials: true },
          ],
          ipv6Listening: async () => ({
            listens: true,
            setting: "current_interface_address = ::",
            changeable: true,
          }),
          peers: async () => ({
            supported: true,
            peers: [{ address: "[2a0b:8877:66::20]:6881", incoming: true, client: "Transmission 3.00" }],
          }),
        },
      ],
    ]);
    const loaded = await loadBuiltin("ipv6-reachability", services, {});
    const first = await runLoadedCheck(loaded, "ipv6.reachability", services);
    expect(first.status).toBe("PASS");
    expect(first.facts).toMatchObject({
      client: { listens: true },
      swarm: { tunnels: [{ tunnelId: "qb", incomingIpv6: 1 }] },
    });
    const firstSeen = (result: typeof first) =>
      ((result.facts?.incomingIpv6Peers ?? []) as { firstSeenAt: string }[])[0]?.firstSeenAt;
    const when = firstSeen(first);
    expect(when).toBeDefined();
    const second = await runLoadedCheck(loaded, "ipv6.reachability", services);
    expect(firstSeen(second)).toBe(when);
  });
});
