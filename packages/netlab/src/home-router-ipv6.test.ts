import { describe, expect, test } from "vitest";
import { ADDRESSES6 } from "./lab/addresses6.js";
import type { Lab } from "./lab/types.js";
import { createTestLab } from "./testing.js";

/**
 * The two-level lab with IPv6: the ISP's router routes the LAN /64 to the home router, whose stateful
 * filter (with miniupnpd's chain inside it) decides what comes in. Checked with nothing of ours: socat
 * for traffic, curl for a raw WANIPv6FirewallControl request.
 */

const TCP_PORT = 40_611;
const GREETING = "v6-behind-the-home-router";
const SERVICE = "urn:schemas-upnp-org:service:WANIPv6FirewallControl:1";

async function listenInLan(lab: Lab): Promise<void> {
  const ip = lab.ipv6!.lanIp;
  lab.spawn("lan", "socat", [
    `TCP6-LISTEN:${TCP_PORT},bind=[${ip}],reuseaddr,fork`,
    `SYSTEM:echo ${GREETING}`,
  ]);
  await lab.waitForListening("lan", { tcp: [`[${ip}]:${TCP_PORT}`] });
}

/** A WAN peer connects to the LAN host's global address; the greeting, or "" when nothing got through. */
async function knock(lab: Lab, fromIp: string): Promise<string> {
  const result = await lab.exec("wan", "socat", [
    "-T",
    "3",
    "-u",
    `TCP6:[${lab.ipv6!.lanIp}]:${TCP_PORT},bind=[${fromIp}],connect-timeout=3`,
    "STDOUT",
  ]);
  return result.stdout.trim();
}

/** A raw SOAP call to miniupnpd's IPv6 firewall service, sent from the LAN host's global address. */
async function soap(lab: Lab, action: string, args: Record<string, string | number>): Promise<string> {
  const url = lab.homeRouter!.descriptionUrl6!.replace("/rootDesc.xml", "/ctl/IP6FCtl");
  const body = `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:${action} xmlns:u="${SERVICE}">${Object.entries(
    args,
  )
    .map(([k, v]) => `<${k}>${v}</${k}>`)
    .join("")}</u:${action}></s:Body></s:Envelope>`;
  const result = await lab.exec("lan", "curl", [
    "-sS",
    "-g",
    "--interface",
    lab.ipv6!.lanIp,
    "-H",
    'content-type: text/xml; charset="utf-8"',
    "-H",
    `soapaction: "${SERVICE}#${action}"`,
    "-w",
    "\nHTTP %{http_code}",
    "--data-binary",
    body,
    url,
  ]);
  return `${result.stdout}${result.stderr}`;
}

describe.concurrent("two-level lab with IPv6 (home router with miniupnpd, ISP router routing the /64)", () => {
  test("firewall on: the LAN host gets out, a WAN peer's new TCP is dropped until a pinhole lets it in", async (context) => {
    const lab = await createTestLab(
      { nat: "NAT1", stun: "none", homeRouter: { upnp: "allow" }, ipv6: { firewall: true } },
      context,
    );
    const v6 = lab.ipv6!;
    const home = lab.homeRouter!;
    expect(v6.lanGatewayIp).toBe(home.lanIp6);
    expect(v6.homeRouterWanIp).toBe(home.wanIp6);
    expect((await lab.exec("lan", "ip", ["-6", "route", "show", "default"])).stdout).toContain(
      `via ${home.lanIp6}`,
    );
    // The ISP's router routes the LAN's /64 to the home router; it filters nothing itself.
    expect((await lab.exec("router", "ip", ["-6", "route", "show", ADDRESSES6.lanPrefix])).stdout).toContain(
      `via ${home.wanIp6}`,
    );
    expect(home.log()).toContain(`HTTP IPv6 address given to control points : [${home.lanIp6}]`);

    await listenInLan(lab);
    const peer = await lab.addWanAddress6();
    expect(await knock(lab, peer)).toBe("");

    const added = await soap(lab, "AddPinhole", {
      RemoteHost: "",
      RemotePort: 0,
      InternalClient: v6.lanIp,
      InternalPort: TCP_PORT,
      Protocol: 6,
      LeaseTime: 60,
    });
    expect(added).toMatch(/HTTP 200$/);
    const id = Number(/<UniqueID>(\d+)<\/UniqueID>/.exec(added)?.[1]);
    const pinholes = await home.pinholes();
    expect(pinholes).toEqual([
      expect.objectContaining({ id, address: v6.lanIp, transport: "TCP", port: TCP_PORT }),
    ]);
    expect(await knock(lab, peer)).toBe(GREETING);

    expect(await soap(lab, "DeletePinhole", { UniqueID: id })).toMatch(/HTTP 200$/);
    expect(await home.pinholes()).toEqual([]);
    expect(await knock(lab, peer)).toBe("");
  });

  test("firewall off: a WAN peer's new TCP reaches the LAN host, and switching it on drops it again", async (context) => {
    const lab = await createTestLab(
      { nat: "NAT1", stun: "none", homeRouter: { upnp: "allow" }, ipv6: { firewall: false } },
      context,
    );
    await listenInLan(lab);
    const peer = await lab.addWanAddress6();
    expect(await knock(lab, peer)).toBe(GREETING);

    await lab.setIpv6Firewall(true);
    expect(lab.ipv6?.firewall).toBe(true);
    expect(await knock(lab, peer)).toBe("");
  });

  test("miniupnpd refuses a pinhole for another host's address (sender must be the InternalClient)", async (context) => {
    const lab = await createTestLab(
      { nat: "NAT1", stun: "none", homeRouter: { upnp: "allow" }, ipv6: { firewall: true } },
      context,
    );
    const answer = await soap(lab, "AddPinhole", {
      RemoteHost: "",
      RemotePort: 0,
      InternalClient: "2a0b:8877:77::99",
      InternalPort: TCP_PORT,
      Protocol: 6,
      LeaseTime: 60,
    });
    expect(answer).toMatch(/HTTP 500$/);
    expect(answer).toContain("<errorCode>606</errorCode>");
    expect(await lab.homeRouter!.pinholes()).toEqual([]);
  });

  test("upnp: deny refuses IPv4 mappings only: miniupnpd 2.3.1 grants IPv6 pinholes regardless", async (context) => {
    const lab = await createTestLab(
      { nat: "NAT1", stun: "none", homeRouter: { upnp: "deny" }, ipv6: { firewall: true } },
      context,
    );
    const answer = await soap(lab, "AddPinhole", {
      RemoteHost: "",
      RemotePort: 0,
      InternalClient: lab.ipv6!.lanIp,
      InternalPort: TCP_PORT,
      Protocol: 6,
      LeaseTime: 60,
    });
    expect(answer).toMatch(/HTTP 200$/);
    expect(await lab.homeRouter!.pinholes()).toHaveLength(1);
  });
});
