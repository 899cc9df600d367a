import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { makeCheck } from "../checks/testChecks.js";
import type { Tunnel } from "../dashboard/types.js";
import type { Check } from "../graphql/types.js";
import { I18nProvider } from "../i18n/I18nContext.js";
import type { Locale } from "../i18n/locale.js";
import { translatorFor } from "../i18n/translate.js";
import { Ipv6PathCard } from "./Ipv6PathCard.js";

// The dashboard's IPv6 card beside the tunnels, rendered as the browser gets it.

const now = Date.parse("2026-05-01T12:00:00.000Z");

const passing = makeCheck({
  id: "ipv6.reachability",
  status: "PASS",
  summary: "The router lets unsolicited inbound IPv6 in.",
  facts: {
    addresses: [{ address: "2a0b:8877:77::2", interface: "lan0", prefixLength: 64, temporary: false }],
    listeners: { port: 6881, tcp: ["[::]:6881"], udp: [], tcpOnIpv6: true, udpOnIpv6: false },
    router: {
      from: "2a0b:8877:77::2",
      filtering: "ENDPOINT_INDEPENDENT",
      tried: [],
      answered: ["s"],
      problems: [],
    },
  },
});

function render(check: Check, tunnels: Tunnel[] = [], locale: Locale = "en"): string {
  const card = createElement(Ipv6PathCard, { check, tunnels, now });
  return renderToStaticMarkup(
    createElement(I18nProvider, { value: { locale, t: translatorFor(locale) } }, card),
  );
}

describe("the dashboard's IPv6 path", () => {
  it("shows the verdict, the facts and the tunnel's open pinhole, with a way to the wizard step", () => {
    const tunnel = {
      id: "qb",
      ipv6: {
        address: "2a0b:8877:77::2",
        port: 6881,
        pinhole: {
          state: "OPEN",
          protocol: "UPNP",
          gateway: null,
          tcp: true,
          udp: false,
          leaseEndsAt: "2026-05-01T13:00:00.000Z",
          error: null,
        },
      },
    } as unknown as Tunnel;
    const html = render(passing, [tunnel]);
    expect(html).toContain('data-ipv6-path="PASS"');
    expect(html).toContain("Passed");
    expect(html).toContain("The router lets unsolicited inbound IPv6 in.");
    expect(html).toContain("<code>2a0b:8877:77::2</code>");
    expect(html).toContain("listens on IPv6, port 6881 ([::]:6881)");
    expect(html).toMatch(/<dt>Pinhole on the router<\/dt><dd[^>]*>open until [^<]*\(in 1h 00m\)<\/dd>/);
    expect(html).toContain('href="#/wizard/ipv6"');
  });

  it("is one line on a host without IPv6", () => {
    const skipped = makeCheck({
      id: "ipv6.reachability",
      status: "SKIP",
      summary: "This host has no global IPv6 address, so peers cannot reach it over IPv6.",
      facts: { addresses: [] },
    });
    const html = render(skipped);
    expect(html).toContain("This host has no global IPv6 address, so peers cannot reach it over IPv6.");
    expect(html).not.toContain("ipv6-facts");
    expect(render(skipped, [], "zh-CN")).toContain("IPv6 通路");
  });
});
