import type { Readable } from "node:stream";
import { describe, expect, test } from "vitest";
import { ADDRESSES } from "./lab/addresses.js";
import type { Lab } from "./lab/types.js";
import { createTestLab } from "./testing.js";

/**
 * The two-level lab: LAN host -> home router (miniupnpd) -> the ISP's NAT1 router -> WAN. Checked here
 * with nothing of ours: socat for traffic, and a raw SOAP request for the UPnP mapping.
 */

const LOCAL_PORT = 40_321;
const ECHO_PORT = 7_001;
const GREETING = "behind-two-nats";

function firstLine(stream: Readable | null): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!stream) return reject(new Error("no output stream"));
    let text = "";
    stream.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes("\n")) resolve(text.slice(0, text.indexOf("\n")).trim());
    });
    stream.once("end", () => reject(new Error(`ended before a line: ${JSON.stringify(text)}`)));
  });
}

/** Ask miniupnpd, from the LAN host, for external LOCAL_PORT -> LAN host LOCAL_PORT; its HTTP status. */
async function soapAddMapping(lab: Lab): Promise<string> {
  const service = "urn:schemas-upnp-org:service:WANIPConnection:2";
  const args = {
    NewRemoteHost: "",
    NewExternalPort: LOCAL_PORT,
    NewProtocol: "TCP",
    NewInternalPort: LOCAL_PORT,
    NewInternalClient: lab.lanIp,
    NewEnabled: 1,
    NewPortMappingDescription: "netlab test",
    NewLeaseDuration: 120,
  };
  const body = `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:AddPortMapping xmlns:u="${service}">${Object.entries(
    args,
  )
    .map(([k, v]) => `<${k}>${v}</${k}>`)
    .join("")}</u:AddPortMapping></s:Body></s:Envelope>`;
  const script = `fetch(process.argv[1], { method: "POST", body: process.argv[2], headers: { "content-type": 'text/xml; charset="utf-8"', soapaction: '"${service}#AddPortMapping"' } }).then(async (r) => console.log(r.status, await r.text()))`;
  const url = `http://${ADDRESSES.homeLanGateway}:${ADDRESSES.miniupnpdHttpPort}/ctl/IPConn`;
  const result = await lab.exec("lan", process.execPath, ["-e", script, url, body]);
  return `${result.stdout}${result.stderr}`;
}

/** Keep an outbound connection from LOCAL_PORT (so the ISP's NAT1 maps it), then listen on LOCAL_PORT. */
async function punchAndListen(lab: Lab): Promise<{ publicIp: string; publicPort: number }> {
  const server = lab.wanServerIps.primary;
  lab.spawn("wan", "socat", [
    `TCP4-LISTEN:${ECHO_PORT},bind=${server},reuseaddr,fork`,
    "SYSTEM:echo $SOCAT_PEERADDR $SOCAT_PEERPORT; sleep 60",
  ]);
  await lab.waitForListening("wan", { tcp: [`${server}:${ECHO_PORT}`] });
  const keepAlive = lab.spawn("lan", "socat", [
    "-u",
    `TCP4:${server}:${ECHO_PORT},sourceport=${LOCAL_PORT},reuseaddr`,
    "STDOUT",
  ]);
  const [publicIp = "", port = ""] = (await firstLine(keepAlive.stdout)).split(" ");
  lab.spawn("lan", "socat", [`TCP4-LISTEN:${LOCAL_PORT},reuseaddr,fork`, `SYSTEM:echo ${GREETING}`]);
  await lab.waitForListening("lan", { tcp: [`0.0.0.0:${LOCAL_PORT}`] });
  return { publicIp, publicPort: Number(port) };
}

async function knock(lab: Lab, from: string, to: { publicIp: string; publicPort: number }): Promise<string> {
  const result = await lab.exec("wan", "socat", [
    "-T",
    "3",
    "-u",
    `TCP4:${to.publicIp}:${to.publicPort},bind=${from},connect-timeout=3`,
    "STDOUT",
  ]);
  return result.stdout.trim();
}

describe.concurrent("two-level lab (home router with miniupnpd in front of the ISP's NAT1)", () => {
  test("a WAN peer reaches the LAN host only once the home router holds a UPnP mapping", async (context) => {
    const lab = await createTestLab({ nat: "NAT1", stun: "none", homeRouter: { upnp: "allow" } }, context);
    expect(lab.lanIp).toBe(ADDRESSES.homeLanHost);
    expect(lab.homeRouter?.wanIp).toBe(ADDRESSES.homeRouterWan);

    const endpoint = await punchAndListen(lab);
    // The WAN sees the ISP router's address: the home router's own WAN address is not public.
    expect(endpoint.publicIp).toBe(lab.publicIp);
    const peer = await lab.addWanAddress();
    expect(await knock(lab, peer, endpoint)).toBe("");

    expect(await soapAddMapping(lab)).toMatch(/^200 /);
    const chain = await lab.exec("home", "nft", [
      "list",
      "chain",
      "inet",
      "filter",
      lab.homeRouter?.natChain ?? "?",
    ]);
    expect(chain.stdout).toContain(`dnat ip to ${lab.lanIp}:${LOCAL_PORT}`);
    expect(await knock(lab, peer, endpoint)).toBe(GREETING);
  });

  test("upnp: deny makes miniupnpd refuse the mapping", async (context) => {
    const lab = await createTestLab({ nat: "NAT1", stun: "none", homeRouter: { upnp: "deny" } }, context);
    const answer = await soapAddMapping(lab);
    expect(answer).toMatch(/^500 /);
    expect(answer).toContain("<errorCode>606</errorCode>");
  });
});
