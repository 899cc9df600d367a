import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { makeCheck } from "../checks/testChecks.js";
import type { Check } from "../graphql/types.js";
import { I18nProvider } from "../i18n/I18nContext.js";
import type { Locale } from "../i18n/locale.js";
import { translatorFor } from "../i18n/translate.js";
import { CheckStep } from "./CheckStep.js";
import { stateOfStatus } from "./steps.js";

// The wizard's IPv6 step rendered to HTML as the browser gets it, for the verdicts ipv6.reachability gives.

const now = Date.parse("2026-05-01T12:00:00.000Z");

const failed = makeCheck({
  id: "ipv6.reachability",
  title: "IPv6 reachability",
  status: "FAIL",
  summary: "The host's firewall drops inbound IPv6 to port 6881.",
  facts: {
    addresses: [{ address: "2a0b:8877:77::2", interface: "lan0", prefixLength: 64, temporary: false }],
    port: 6881,
    listeners: { port: 6881, tcp: ["0.0.0.0:6881"], udp: [], tcpOnIpv6: false, udpOnIpv6: false },
    router: {
      from: "2a0b:8877:77::2",
      filtering: "ENDPOINT_INDEPENDENT",
      tried: [],
      answered: ["x"],
      problems: [],
    },
  },
  guidance: { title: "Let inbound IPv6 in", steps: ["Open port 6881 for IPv6."], docs: null },
  remedies: [
    {
      id: "allow-ipv6-port",
      title: "Allow inbound IPv6 to port 6881",
      description: "Adds one nftables rule.",
      commands: ["nft add rule inet autostun input tcp dport 6881 accept"],
      requiresRoot: true,
    },
    {
      id: "listen-on-ipv6",
      title: "Make qBittorrent listen on IPv6",
      description: "Changes one setting.",
      commands: [],
      requiresRoot: false,
    },
  ],
});

const skipped = makeCheck({
  id: "ipv6.reachability",
  status: "SKIP",
  summary: "This host has no global IPv6 address, so peers cannot reach it over IPv6.",
  facts: { addresses: [], defaultRoute: null, listeners: null, router: null },
});

function render(check: Check, locale: Locale = "en"): string {
  const step = createElement(CheckStep, {
    stepId: "ipv6",
    checkId: "ipv6.reachability",
    check,
    state: stateOfStatus(check.status),
    number: 3,
    rerunning: false,
    onTestAgain() {},
    async onApplyRemedy() {
      return { ok: true, message: "", check: null };
    },
    onContinueAnyway() {},
    now,
  });
  return renderToStaticMarkup(
    createElement(I18nProvider, { value: { locale, t: translatorFor(locale) } }, step),
  );
}

describe("the wizard's IPv6 step", () => {
  it("shows a failure with its verdict, the facts that matter, the guidance and a button per remedy", () => {
    const html = render(failed);
    expect(html).toContain('data-status="FAIL"');
    // A closed IPv6 path is worth fixing, not a must: the IPv4 tunnel does not need it.
    expect(html).toContain("Worth fixing; the IPv4 tunnel works without it");
    expect(html).not.toContain("Must be fixed");
    expect(html).toContain("The host&#x27;s firewall drops inbound IPv6 to port 6881.");
    expect(html).toMatch(/<dt>Address peers reach<\/dt><dd[^>]*><code>2a0b:8877:77::2<\/code>/);
    expect(html).toContain("open: unsolicited inbound IPv6 gets in");
    expect(html).toContain("IPv4 only on port 6881 (0.0.0.0:6881): IPv6 peers are refused");
    expect(html).toContain("none (UPnP is off in AutoSTUN)");
    expect(html).toContain("the downloader&#x27;s peer list was not read");
    expect(html).toContain("<li>Open port 6881 for IPv6.</li>");
    expect(html).toMatch(/<button[^>]*>Allow inbound IPv6 to port 6881<\/button>/);
    expect(html).toMatch(/<button[^>]*>Make qBittorrent listen on IPv6<\/button>/);
    // Nothing is applied from the page itself: the dialog asks first, and it is not open yet.
    expect(html).not.toContain("<dialog");
    // A closed IPv6 path can wait: the IPv4 tunnel does not need it.
    expect(html).toMatch(/<button[^>]*>Go on with IPv4 only for now<\/button>/);
  });

  it("is one line when the host has no IPv6", () => {
    const html = render(skipped);
    expect(html).toContain(
      "No IPv6 here, step skipped: This host has no global IPv6 address, so peers cannot reach it over IPv6.",
    );
    expect(html).not.toContain("ipv6-facts");
    expect(html).not.toContain("guidance");
    expect(html).not.toContain("Facts");
    expect(html).toContain(">Test again</button>");
  });

  it("speaks Chinese", () => {
    const html = render(failed, "zh-CN");
    expect(html).toContain("对端连入的地址");
    expect(html).toContain("端口 6881 只在 IPv4 上监听（0.0.0.0:6881）：IPv6 对端会被拒绝");
    expect(html).toContain("暂时只用 IPv4，继续");
    expect(render(skipped, "zh-CN")).toContain("此处没有 IPv6，已跳过本步：");
  });
});
