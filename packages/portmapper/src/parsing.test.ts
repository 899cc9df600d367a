import { describe, expect, test } from "vitest";
import { parseDefaultGateway } from "./default-gateway.js";
import { parseDescription } from "./device-description.js";
import { locationOf } from "./ssdp-search.js";

describe("reading what routers say", () => {
  test("an IGD v1 description with URLBase: the WANIPConnection:1 control URL, resolved", () => {
    const xml = `<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><URLBase>http://10.0.0.1:49152/</URLBase>
      <device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType><friendlyName>Box &amp; Co</friendlyName>
      <serviceList><service><serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType><controlURL>/l3f</controlURL></service></serviceList>
      <deviceList><device><serviceList><service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>
      <controlURL>upnp/control/WANIPConn1</controlURL></service></serviceList></device></deviceList></device></root>`;
    expect(parseDescription(xml, "http://10.0.0.1:49152/desc.xml")).toEqual({
      serviceType: "urn:schemas-upnp-org:service:WANIPConnection:1",
      controlUrl: "http://10.0.0.1:49152/upnp/control/WANIPConn1",
      friendlyName: "Box & Co",
    });
  });

  test("a device without a port-mapping service is refused, naming what it offers", () => {
    const xml = `<root><device><serviceList><service><serviceType>urn:schemas-upnp-org:service:ContentDirectory:1</serviceType><controlURL>/cd</controlURL></service></serviceList></device></root>`;
    expect(() => parseDescription(xml, "http://10.0.0.9/d.xml")).toThrow(
      /http:\/\/10\.0\.0\.9\/d\.xml offers no port-mapping service .*found: urn:schemas-upnp-org:service:ContentDirectory:1/,
    );
  });

  test("garbage from a router: a control URL that is none, or a character reference past U+10FFFF, is a clear error or left as written", () => {
    const xml = `<root><URLBase>not a url</URLBase><device><friendlyName>Box &#99999999;</friendlyName><serviceList><service>
      <serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><controlURL>/ctl</controlURL></service></serviceList></device></root>`;
    expect(() => parseDescription(xml, "http://10.0.0.9/d.xml")).toThrow(
      /http:\/\/10\.0\.0\.9\/d\.xml gives a control URL that is not one: \/ctl \(base not a url\)/,
    );
    expect(
      parseDescription(xml.replace("not a url", "http://10.0.0.9/"), "http://10.0.0.9/d.xml").friendlyName,
    ).toBe("Box &#99999999;");
  });

  test("SSDP: the LOCATION of a 200 answer, nothing from a NOTIFY", () => {
    expect(
      locationOf("HTTP/1.1 200 OK\r\nST: x\r\nLocation: http://192.168.1.1:5000/rootDesc.xml\r\n\r\n"),
    ).toBe("http://192.168.1.1:5000/rootDesc.xml");
    expect(locationOf("NOTIFY * HTTP/1.1\r\nLOCATION: http://192.168.1.1/x\r\n\r\n")).toBeUndefined();
  });

  test("/proc/net/route: the default route's gateway, in dotted form", () => {
    const table = [
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
      "eth0\t0058A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
      "eth0\t00000000\t0158A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
    ].join("\n");
    expect(parseDefaultGateway(table)).toBe("192.168.88.1");
    expect(parseDefaultGateway(table.split("\n").slice(0, 2).join("\n"))).toBeUndefined();
  });
});
