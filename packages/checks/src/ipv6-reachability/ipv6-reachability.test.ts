import { localize, Services } from "@autostun/plugins-api";
import { describe, expect, it } from "vitest";
import { loadBuiltin, runLoadedCheck } from "../testing/run-check.js";
import {
  type HostIpv6Facts,
  parseDefaultRoute,
  parseIpAddr,
  parseSsListeners,
  probeAddress,
} from "./host-facts.js";
import type { RouterFiltering } from "./router-filtering.js";
import { decideIpv6, type Ipv6Input } from "./verdict.js";

// `ip -j -6 addr` on a host with SLAAC: a stable and a temporary address, an old deprecated temporary one,
// a ULA, link-local and loopback.
const IP_ADDR = JSON.stringify([
  { ifindex: 1, ifname: "lo", addr_info: [{ family: "inet6", local: "::1", prefixlen: 128, scope: "host" }] },
  {
    ifindex: 2,
    ifname: "eth0",
    addr_info: [
      {
        family: "inet6",
        local: "2408:8207:1:2::aaaa",
        prefixlen: 64,
        scope: "global",
        temporary: true,
        dynamic: true,
      },
      {
        family: "inet6",
        local: "2408:8207:1:2::dead",
        prefixlen: 64,
        scope: "global",
        temporary: true,
        deprecated: true,
      },
      {
        family: "inet6",
        local: "2408:8207:1:2:5054:ff:fe12:3456",
        prefixlen: 64,
        scope: "global",
        mngtmpaddr: true,
      },
      { family: "inet6", local: "fd00:1::5", prefixlen: 64, scope: "global" },
      { family: "inet6", local: "fe80::5054:ff:fe12:3456", prefixlen: 64, scope: "link" },
    ],
  },
]);

const STABLE = "2408:8207:1:2:5054:ff:fe12:3456";

function host(over: Partial<HostIpv6Facts> = {}): HostIpv6Facts {
  return {
    addresses: parseIpAddr(IP_ADDR),
    defaultRoute: { gateway: "fe80::1", interface: "eth0" },
    listeners: null,
    unreadable: [],
    ...over,
  };
}

function router(
  filtering: RouterFiltering["filtering"],
  answered = ["[2a0b:8877:66::10]:3478"],
): RouterFiltering {
  return { from: STABLE, filtering, tried: ["[2a0b:8877:66::10]:3478"], answered, problems: [] };
}

const input = (over: Partial<Ipv6Input> = {}): Ipv6Input => ({
  platform: "linux",
  host: host(),
  port: undefined,
  router: router("ENDPOINT_INDEPENDENT"),
  ...over,
});

const en = (text: unknown) => localize(text as never, "en");
const zh = (text: unknown) => localize(text as never, "zh-CN");

describe("reading the host's IPv6", () => {
  it("keeps global unicast addresses only, stable first, without deprecated ones", () => {
    expect(parseIpAddr(IP_ADDR)).toEqual([
      { address: STABLE, interface: "eth0", prefixLength: 64, temporary: false },
      { address: "2408:8207:1:2::aaaa", interface: "eth0", prefixLength: 64, temporary: true },
    ]);
  });

  it("tells a default route from none", () => {
    expect(parseDefaultRoute('[{"dst":"default","gateway":"fe80::1","dev":"eth0","protocol":"ra"}]')).toEqual(
      {
        gateway: "fe80::1",
        interface: "eth0",
      },
    );
    expect(parseDefaultRoute("[]")).toBe("none");
    expect(parseDefaultRoute("")).toBe("none");
  });

  it("finds who listens on the port, dual-stack and per interface", () => {
    const ss = [
      "LISTEN 0      4096         0.0.0.0:6881      0.0.0.0:*",
      "LISTEN 0      4096            [::]:6881         [::]:*",
      "LISTEN 0      128     127.0.0.53%lo:53        0.0.0.0:*",
      "LISTEN 0      50                  *:8080            *:*",
      "LISTEN 0      50                  *:16881           *:*",
    ].join("\n");
    expect(parseSsListeners(ss, 6881)).toEqual(["0.0.0.0", "::"]);
    expect(parseSsListeners(ss, 8080)).toEqual(["*"]);
    expect(parseSsListeners(ss, 53)).toEqual(["127.0.0.53"]);
    expect(parseSsListeners(ss, 1)).toEqual([]);
  });
});

describe("the address the router is measured from", () => {
  it("is the stable address, unless the downloader is bound to another global address", () => {
    expect(probeAddress(host())).toBe(STABLE);
    const onTemporary = {
      port: 6881,
      tcp: ["2408:8207:1:2::aaaa"],
      udp: [],
      tcpOnIpv6: true,
      udpOnIpv6: false,
    };
    expect(probeAddress(host({ listeners: onTemporary }))).toBe("2408:8207:1:2::aaaa");
    expect(probeAddress(host({ addresses: [] }))).toBeUndefined();
  });
});

describe("the ipv6.reachability verdict", () => {
  it("skips with one line when the host has no global IPv6 address", () => {
    const result = decideIpv6(input({ host: host({ addresses: [] }), router: undefined }));
    expect(result.status).toBe("SKIP");
    expect(en(result.summary)).toMatch(/no global IPv6 address/);
    expect(result.guidance).toBeUndefined();
  });

  it("skips when there is an address but no default route", () => {
    const result = decideIpv6(input({ host: host({ defaultRoute: "none" }), router: undefined }));
    expect(result.status).toBe("SKIP");
    expect(en(result.summary)).toContain(STABLE);
  });

  it("passes when the router filters endpoint-independently, and says the port was not checked", () => {
    const result = decideIpv6(input());
    expect(result.status).toBe("PASS");
    expect(en(result.summary)).toContain("ENDPOINT_INDEPENDENT");
    expect(en(result.summary)).toMatch(/port is not known/);
    expect(zh(result.summary)).toMatch(/不知道下载器的端口/);
    expect(result.facts?.router).toMatchObject({ from: STABLE, filtering: "ENDPOINT_INDEPENDENT" });
  });

  it.each(["ADDRESS_DEPENDENT", "ADDRESS_AND_PORT_DEPENDENT"] as const)(
    "fails naming the router's IPv6 firewall when filtering is %s",
    (filtering) => {
      const result = decideIpv6(input({ port: 6881, router: router(filtering) }));
      expect(result.status).toBe("FAIL");
      expect(en(result.summary)).toMatch(/router's IPv6 firewall/);
      const steps = result.guidance?.steps.map(en) ?? [];
      expect(steps.join("\n")).toMatch(/turn the IPv6 firewall off/);
      expect(steps.join("\n")).toContain(`${STABLE} port 6881`);
      // The fix list offers the pinhole AutoSTUN can open and the client's side.
      expect(steps.join("\n")).toMatch(/set `upnp.enabled` to true/);
      expect(steps.join("\n")).toMatch(/listens on IPv6 too/);
      expect(result.guidance?.docs).toBe("docs/user-guide.md#ipv6");
    },
  );

  it("warns saying what is unknown when no STUN server answered over IPv6", () => {
    const result = decideIpv6(input({ router: router("UNKNOWN", []) }));
    expect(result.status).toBe("WARN");
    expect(en(result.summary)).toMatch(/none of the `stun.udp` servers answered over IPv6/);
    expect(decideIpv6(input({ router: "no-servers" })).summary).toMatchObject({
      en: expect.stringMatching(/no `stun.udp` servers are configured/),
    });
  });

  it("fails naming the client's setting when the port is bound on IPv4 only", () => {
    const listeners = { port: 6881, tcp: ["0.0.0.0"], udp: ["0.0.0.0"], tcpOnIpv6: false, udpOnIpv6: false };
    const result = decideIpv6(input({ port: 6881, host: host({ listeners }) }));
    expect(result.status).toBe("FAIL");
    expect(en(result.summary)).toMatch(/bound to 0.0.0.0 only/);
    expect(result.guidance?.steps.map(en).join("\n")).toMatch(/bind-address-ipv6/);
  });

  it("adds the client's steps to the router's when both are in the way", () => {
    const listeners = { port: 6881, tcp: ["0.0.0.0"], udp: [], tcpOnIpv6: false, udpOnIpv6: false };
    const result = decideIpv6(
      input({ port: 6881, host: host({ listeners }), router: router("ADDRESS_AND_PORT_DEPENDENT") }),
    );
    expect(result.status).toBe("FAIL");
    const steps = result.guidance?.steps.map(en).join("\n") ?? "";
    expect(steps).toMatch(/IPv6 firewall/);
    expect(steps).toMatch(/bind-address-ipv6/);
  });

  it("warns when nothing listens on the configured port at all", () => {
    const listeners = { port: 6881, tcp: [], udp: [], tcpOnIpv6: false, udpOnIpv6: false };
    const result = decideIpv6(input({ port: 6881, host: host({ listeners }) }));
    expect(result.status).toBe("WARN");
    expect(en(result.summary)).toMatch(/Nothing listens for TCP on port 6881/);
  });

  it("passes without the port note when the downloader listens on [::]", () => {
    const listeners = { port: 6881, tcp: ["::"], udp: ["::"], tcpOnIpv6: true, udpOnIpv6: true };
    const result = decideIpv6(input({ port: 6881, host: host({ listeners }) }));
    expect(result.status).toBe("PASS");
    expect(en(result.summary)).not.toMatch(/not checked/);
  });

  it("warns, not skips, when `ip` could not be read", () => {
    const result = decideIpv6(
      input({ host: host({ addresses: null, unreadable: ["ip -j -6 addr: ENOENT"] }), router: undefined }),
    );
    expect(result.status).toBe("WARN");
    expect(en(result.summary)).toContain("ENOENT");
  });
});

describe("the ipv6.reachability extension", () => {
  function services(outputs: Record<string, string>, udp: string[] = []) {
    const runner = {
      async run(file: string, args: readonly string[]) {
        const key = [file, ...args].join(" ");
        const stdout = outputs[key];
        return stdout === undefined
          ? { exitCode: undefined, stdout: "", stderr: "", error: "ENOENT" }
          : { exitCode: 0, stdout, stderr: "" };
      },
    };
    return new Map<symbol, unknown>([
      [Services.HostInfo, { platform: "linux", isPrivileged: false }],
      [Services.CommandRunner, runner],
      [Services.StunSettings, { udp, tcp: [] }],
      [Services.SystemFiles, { readText: async () => undefined, exists: async () => false }],
      [Services.TunnelActivity, { tunnels: async () => [] }],
      [Services.Downloaders, { list: async () => [] }],
    ]);
  }

  it("reads ip and ss through the command runner and names the port's listeners", async () => {
    const loaded = await loadBuiltin("ipv6-reachability", new Map(), { port: 6881 });
    const svc = services({
      "ip -j -6 addr": IP_ADDR,
      "ip -j -6 route show default": '[{"dst":"default","gateway":"fe80::1","dev":"eth0"}]',
      "ss -ltnH": "LISTEN 0 4096 0.0.0.0:6881 0.0.0.0:*",
      "ss -lunH": "UNCONN 0 0 0.0.0.0:6881 0.0.0.0:*",
    });
    const result = await runLoadedCheck(loaded, "ipv6.reachability", svc);
    expect(result.status).toBe("FAIL");
    expect(result.facts?.listeners).toMatchObject({ port: 6881, tcp: ["0.0.0.0"], tcpOnIpv6: false });
  });

  it("refuses a bad port in its config, naming the setting", async () => {
    const loaded = await loadBuiltin("ipv6-reachability", new Map(), { port: "6881" });
    await expect(runLoadedCheck(loaded, "ipv6.reachability", services({}))).rejects.toThrow(
      /check-ipv6-reachability"\]\.port must be an integer/,
    );
  });
});
