import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { FIREWALL_SERVICE_TYPE, parseFirewallService } from "../device-description.js";
import { canonicalIpv6, parseDefaultGatewayV6 } from "./ipv6-host.js";
import { UpnpPinholeGateway } from "./upnp-pinhole-gateway.js";

/**
 * The UPnP pinhole client against a fake IGD v2 on IPv6 loopback: what it sends, from where, and how
 * the router's answers and faults come back. The real router is miniupnpd in pinholes.lab.test.ts.
 */

interface Seen {
  action: string;
  body: string;
  from: string;
}

function description(control: string): string {
  return `<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device><friendlyName>Fake IGD</friendlyName><deviceList><device><serviceList>
    <service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:2</serviceType><controlURL>/ctl/IPConn</controlURL></service>
    <service><serviceType>${FIREWALL_SERVICE_TYPE}</serviceType><controlURL>${control}</controlURL></service>
    </serviceList></device></deviceList></device></root>`;
}

function fault(code: number, text: string): string {
  return `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>${code}</errorCode><errorDescription>${text}</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>`;
}

function ok(action: string, inner = ""): string {
  return `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:${action}Response xmlns:u="${FIREWALL_SERVICE_TYPE}">${inner}</u:${action}Response></s:Body></s:Envelope>`;
}

type Reply = (action: string, body: string) => { status: number; text: string } | undefined;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function fakeRouter(reply: Reply = () => undefined): Promise<{ location: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString();
      });
      req.on("end", () => resolve(body));
    });
  const server = createServer(async (req, res) => {
    const body = await read(req);
    if (req.method === "GET") return res.end(description("/ctl/IP6FCtl"));
    const action = /#(\w+)"/.exec(String(req.headers.soapaction))?.[1] ?? "";
    seen.push({ action, body, from: req.socket.remoteAddress ?? "" });
    const custom = reply(action, body);
    if (custom) {
      res.statusCode = custom.status;
      return res.end(custom.text);
    }
    if (action === "GetFirewallStatus")
      return res.end(
        ok(action, "<FirewallEnabled>1</FirewallEnabled><InboundPinholeAllowed>1</InboundPinholeAllowed>"),
      );
    if (action === "AddPinhole") return res.end(ok(action, "<UniqueID>7</UniqueID>"));
    res.end(ok(action));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "::1", resolve));
  const { port } = server.address() as AddressInfo;
  return { location: `http://[::1]:${port}/rootDesc.xml`, seen };
}

const arg = (body: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1];

describe("UpnpPinholeGateway", () => {
  test("AddPinhole from the pinhole's address: any remote, protocol number, lease; UniqueID as the handle", async () => {
    const { location, seen } = await fakeRouter();
    const gateway = await UpnpPinholeGateway.open(location, "::1");
    expect(gateway.name).toBe("Fake IGD");
    const granted = await gateway.open({
      address: "0:0:0:0:0:0:0:1",
      port: 51413,
      transport: "UDP",
      leaseSeconds: 999_999,
    });
    expect(granted).toEqual({
      address: "::1",
      port: 51413,
      transport: "UDP",
      leaseSeconds: 86_400,
      handle: "7",
    });
    const add = seen.find((s) => s.action === "AddPinhole")!;
    expect(add.from).toBe("::1");
    expect([
      arg(add.body, "RemoteHost"),
      arg(add.body, "RemotePort"),
      arg(add.body, "InternalClient"),
    ]).toEqual(["", "0", "::1"]);
    expect([arg(add.body, "InternalPort"), arg(add.body, "Protocol"), arg(add.body, "LeaseTime")]).toEqual([
      "51413",
      "17",
      "86400",
    ]);

    await gateway.renew(granted, 60);
    const update = seen.find((s) => s.action === "UpdatePinhole")!;
    expect([arg(update.body, "UniqueID"), arg(update.body, "NewLeaseTime")]).toEqual(["7", "60"]);
    await gateway.close(granted);
    expect(arg(seen.find((s) => s.action === "DeletePinhole")!.body, "UniqueID")).toBe("7");
  });

  test("a refusal names the router, the action and the UPnP error code", async () => {
    const { location } = await fakeRouter((action) =>
      action === "AddPinhole" ? { status: 500, text: fault(606, "Action not authorized") } : undefined,
    );
    const gateway = await UpnpPinholeGateway.open(location, "::1");
    const refused = gateway.open({ address: "::1", port: 51413, transport: "TCP", leaseSeconds: 60 });
    await expect(refused).rejects.toThrow(
      `the router at ${location}: the gateway refused AddPinhole: UPnP error 606 Action not authorized`,
    );
    await expect(refused).rejects.toMatchObject({ code: 606 });
  });

  test("a pinhole the router forgot (704) is added again on renewal, and counts as gone on close", async () => {
    const { location, seen } = await fakeRouter((action) =>
      action === "UpdatePinhole" || action === "DeletePinhole"
        ? { status: 500, text: fault(704, "NoSuchEntry") }
        : undefined,
    );
    const gateway = await UpnpPinholeGateway.open(location, "::1");
    const pinhole = { address: "::1", port: 51413, transport: "TCP" as const, leaseSeconds: 60, handle: "3" };
    expect(await gateway.renew(pinhole, 60)).toMatchObject({ handle: "7" });
    expect(seen.map((s) => s.action)).toContain("AddPinhole");
    await expect(gateway.close(pinhole)).resolves.toBeUndefined();
  });

  test("a router that allows no pinholes, or has its firewall off, is not used, and says why", async () => {
    const closed = await fakeRouter((action) =>
      action === "GetFirewallStatus"
        ? {
            status: 200,
            text: ok(
              action,
              "<FirewallEnabled>1</FirewallEnabled><InboundPinholeAllowed>0</InboundPinholeAllowed>",
            ),
          }
        : undefined,
    );
    await expect(UpnpPinholeGateway.open(closed.location, "::1")).rejects.toThrow(
      /does not allow IPv6 pinholes/,
    );
    const open = await fakeRouter((action) =>
      action === "GetFirewallStatus"
        ? {
            status: 200,
            text: ok(
              action,
              "<FirewallEnabled>0</FirewallEnabled><InboundPinholeAllowed>1</InboundPinholeAllowed>",
            ),
          }
        : undefined,
    );
    await expect(UpnpPinholeGateway.open(open.location, "::1")).rejects.toThrow(
      /IPv6 firewall off .*needs no pinhole/,
    );
  });

  test("a pinhole for another address is refused here, before the router would", async () => {
    const { location, seen } = await fakeRouter();
    const gateway = await UpnpPinholeGateway.open(location, "::1");
    await expect(
      gateway.open({ address: "2a0b:8877:77::9", port: 51413, transport: "TCP", leaseSeconds: 60 }),
    ).rejects.toThrow(/grants pinholes only to the address that asks/);
    expect(seen.map((s) => s.action)).toEqual(["GetFirewallStatus"]);
  });
});

describe("reading IPv6 facts", () => {
  test("the firewall service of an IGD v2 description, and a clear error for an IGD v1 one", () => {
    expect(
      parseFirewallService(description("/ctl/IP6FCtl"), "http://[2a0b:8877:77::1]:5000/rootDesc.xml"),
    ).toEqual({
      serviceType: FIREWALL_SERVICE_TYPE,
      controlUrl: "http://[2a0b:8877:77::1]:5000/ctl/IP6FCtl",
      friendlyName: "Fake IGD",
    });
    const v1 = `<root><device><serviceList><service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><controlURL>/c</controlURL></service></serviceList></device></root>`;
    expect(() => parseFirewallService(v1, "http://192.168.1.1/d.xml")).toThrow(
      /offers no IPv6 firewall service .*found: urn:schemas-upnp-org:service:WANIPConnection:1/,
    );
  });

  test("the IPv6 default router from /proc/net/ipv6_route, link-local with its interface", () => {
    const proc = [
      "2a0b8877007700000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0",
      "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000003 00000000 00000003     eth0",
      "00000000000000000000000000000000 00 00000000000000000000000000000000 00 2a0b8877007700000000000000000001 00000800 00000003 00000000 00000003     eth1",
    ].join("\n");
    expect(parseDefaultGatewayV6(proc)).toBe("fe80::1%eth0");
    expect(parseDefaultGatewayV6(proc.split("\n")[0]!)).toBeUndefined();
  });

  test("addresses in the spelling routers compare: RFC 5952, and a clear error for anything else", () => {
    expect(canonicalIpv6("2A0B:8877:0077:0:0:0:0:0002")).toBe("2a0b:8877:77::2");
    expect(() => canonicalIpv6("192.168.1.2")).toThrow(/not an IPv6 address: "192.168.1.2"/);
  });
});
