import type { CheckResult, Guidance } from "@autostun/plugins-api";
import { GUIDE_LINKS } from "../user-guide/links.js";
import type { HostIpv6Facts } from "./host-facts.js";
import { messages } from "./messages.js";
import type { RouterFiltering } from "./router-filtering.js";

const IPV6_GUIDE_LINK = GUIDE_LINKS.ipv6;

export interface Ipv6Input {
  platform: string;
  host: HostIpv6Facts;
  /** The downloader's peer port, from this check's config; undefined when none is configured. */
  port: number | undefined;
  /** The measurement; "no-servers" when `stun.udp` is empty; undefined when it was not run. */
  router: RouterFiltering | "no-servers" | undefined;
}

/**
 * Judges inbound IPv6, from the outside in: is there IPv6 at all, does the router let strangers in, does
 * the downloader accept IPv6. Pure, so fixtures decide every branch.
 */
export function decideIpv6(input: Ipv6Input): CheckResult {
  const { host } = input;
  if (input.platform !== "linux" && input.platform !== "dsm")
    return {
      status: "SKIP",
      summary: messages.text("summary.not-linux"),
      facts: { platform: input.platform },
    };
  const facts = baseFacts(input);
  if (host.addresses === null || host.defaultRoute === null)
    return {
      status: "WARN",
      summary: messages.text("summary.unreadable", { reason: host.unreadable.join("; ") }),
      facts,
    };
  const stable = host.addresses[0];
  if (!stable) return { status: "SKIP", summary: messages.text("summary.no-address"), facts };
  if (host.defaultRoute === "none")
    return { status: "SKIP", summary: messages.text("summary.no-route", { address: stable.address }), facts };

  const router = input.router;
  const address = router && router !== "no-servers" ? router.from : stable.address;
  const listeners = host.listeners;
  const clientIpv4Only = listeners !== null && listeners.tcp.length > 0 && !listeners.tcpOnIpv6;
  const filtering = router && router !== "no-servers" ? router.filtering : "UNKNOWN";

  if (filtering === "ADDRESS_DEPENDENT" || filtering === "ADDRESS_AND_PORT_DEPENDENT") {
    const r = router as RouterFiltering;
    const guidance = routerGuidance(address, input.port);
    if (clientIpv4Only && listeners) guidance.steps.push(...clientGuidance(listeners.port).steps);
    return {
      status: "FAIL",
      summary: messages.text("summary.router-firewall", {
        address,
        filtering,
        servers: r.answered.join(", "),
      }),
      facts,
      guidance,
    };
  }
  if (clientIpv4Only && listeners)
    return {
      status: "FAIL",
      summary: messages.text("summary.client-ipv4-only", {
        port: listeners.port,
        bound: listeners.tcp.join(", "),
      }),
      facts,
      guidance: clientGuidance(listeners.port),
    };
  if (listeners && listeners.tcp.length === 0)
    return {
      status: "WARN",
      summary: messages.text("summary.client-absent", { port: listeners.port }),
      facts,
      guidance: {
        title: messages.text("guidance.client-absent.title"),
        steps: messages.steps("guidance.client-absent.steps", { port: listeners.port }),
        docs: IPV6_GUIDE_LINK,
      },
    };
  if (filtering === "ENDPOINT_INDEPENDENT") {
    const r = router as RouterFiltering;
    const main = messages.text("summary.open", { address, servers: r.answered.join(", ") });
    return {
      status: "PASS",
      summary: listeners ? main : messages.text("summary.open.port-unchecked", { main }),
      facts,
    };
  }
  const key =
    router === "no-servers" || router === undefined
      ? "summary.no-servers"
      : router.answered.length === 0
        ? "summary.unmeasured"
        : "summary.undecided";
  return {
    status: "WARN",
    summary: messages.text(key, {
      address,
      servers: router && router !== "no-servers" ? router.answered.join(", ") : "",
    }),
    facts,
    guidance: {
      title: messages.text("guidance.unknown.title"),
      steps: messages.steps("guidance.unknown.steps"),
      docs: IPV6_GUIDE_LINK,
    },
  };
}

function routerGuidance(address: string, port: number | undefined): Guidance {
  const steps = [
    messages.text("guidance.router.steps.first"),
    port === undefined
      ? messages.text("guidance.router.steps.any", { address })
      : messages.text("guidance.router.steps.port", { address, port }),
    ...messages.steps("guidance.router.steps.last"),
  ];
  return { title: messages.text("guidance.router.title"), steps, docs: IPV6_GUIDE_LINK };
}

function clientGuidance(port: number): Guidance {
  return {
    title: messages.text("guidance.client.title", { port }),
    steps: messages.steps("guidance.client.steps", { port }),
    docs: IPV6_GUIDE_LINK,
  };
}

function baseFacts(input: Ipv6Input): Record<string, unknown> {
  const { host, router } = input;
  return {
    addresses: host.addresses,
    defaultRoute: host.defaultRoute === "none" ? null : host.defaultRoute,
    hasDefaultRoute: host.defaultRoute === null ? null : host.defaultRoute !== "none",
    port: input.port ?? null,
    listeners: host.listeners,
    router:
      router === undefined || router === "no-servers"
        ? null
        : {
            from: router.from,
            filtering: router.filtering,
            tried: router.tried,
            answered: router.answered,
            problems: router.problems,
          },
    unreadable: host.unreadable,
  };
}
