import type { CheckResult, Guidance, LocalizedText, Remedy } from "@autostun/plugins-api";
import { shellLine } from "../firewall-inbound/assess.js";
import { GUIDE_LINKS } from "../user-guide/links.js";
import type { ClientListening, Ipv6Subject, SwarmProof, SwarmReading } from "./downloader-facts.js";
import type { HostIpv6Facts } from "./host-facts.js";
import { blockingLayers, type HostFirewall6, type ProbePortJudgement } from "./host-firewall.js";
import { messages } from "./messages.js";
import type { RouterFiltering } from "./router-filtering.js";

const IPV6_GUIDE_LINK = GUIDE_LINKS.ipv6;

export interface Ipv6Input {
  platform: string;
  host: HostIpv6Facts;
  /** The downloader's peer port, from the tunnels or this check's config; undefined when none is known. */
  port: number | undefined;
  /** The measurement; "no-servers" when `stun.udp` is empty; undefined when it was not run. */
  router: RouterFiltering | "no-servers" | undefined;
  /** Where the port came from, the tunnel it belongs to and its pinhole (absent: from the config key). */
  subject?: Ipv6Subject;
  /** This host's own firewall for IPv6 to the port; undefined when no port is known. */
  firewall?: HostFirewall6;
  /** Whether this host's firewall lets the probes' unsolicited answers in; undefined when not read. */
  probePort?: ProbePortJudgement;
  /** The downloader's own word on listening over IPv6; undefined when it was not asked or cannot tell. */
  client?: ClientListening;
  /** The downloaders' peer lists; undefined when none is configured. */
  swarm?: SwarmReading;
  /** Incoming IPv6 peers seen so far (this run and earlier ones), the earliest first. */
  proofs?: SwarmProof[];
}

/**
 * Judges inbound IPv6, from the outside in: is there IPv6 at all, has a peer already come in, does this
 * host's own firewall let it in, does the router, does the downloader accept IPv6. Pure, so fixtures
 * decide every branch.
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
  const port = input.port;
  const clientSaysNo = input.client && "listens" in input.client && input.client.listens === false;
  const ssSaysIpv4Only = listeners !== null && listeners.tcp.length > 0 && !listeners.tcpOnIpv6;
  // The socket is the fact: the client's setting decides only where `ss` cannot see the listener
  // (nothing bound here, e.g. the client runs on another machine).
  const ssSeesListener = listeners !== null && listeners.tcp.length > 0;
  const clientIpv4Only = ssSeesListener ? ssSaysIpv4Only : clientSaysNo === true;
  const filtering = router && router !== "no-servers" ? router.filtering : "UNKNOWN";
  const dependent = filtering === "ADDRESS_DEPENDENT" || filtering === "ADDRESS_AND_PORT_DEPENDENT";
  // This host's own firewall drops the probes' unsolicited answers: the measurement says nothing of the router.
  const masked = dependent && input.probePort?.accepted === false;
  const routerDrops = dependent && !masked;
  const pinholeOpen = input.subject?.pinhole?.state === "OPEN";
  const firewallBlocks = input.firewall ? blockingLayers(input.firewall) : [];

  // A peer that came in over IPv6 is the proof every measurement only predicts.
  const proof = input.proofs?.[0];
  if (proof)
    return {
      status: "PASS",
      summary: messages.text("summary.swarm-proof", {
        address: proof.address,
        client: proof.client ?? "?",
        when: proof.firstSeenAt,
        count: input.proofs?.length ?? 1,
      }),
      facts,
    };

  const remedies: Remedy[] = [];
  const clientFix = clientIpv4Only
    ? clientFixOf(input.client, port ?? listeners?.port, listeners?.tcp ?? [])
    : undefined;
  const firewallFix = firewallBlocks.length > 0 && input.firewall ? firewallFixOf(input.firewall) : undefined;

  if (firewallFix && input.firewall) {
    const steps = [...firewallFix.steps];
    if (routerDrops && !pinholeOpen) steps.push(...routerGuidance(address, port).steps);
    if (clientFix) steps.push(...clientFix.guidance.steps);
    return {
      status: "FAIL",
      summary: messages.text("summary.host-firewall", {
        port: input.firewall.port,
        reasons: firewallBlocks.map((b) => `${b.protocol}: ${b.reason}`).join("; "),
      }),
      facts,
      guidance: {
        title: messages.text("guidance.host-firewall.title", { port: input.firewall.port }),
        steps,
        docs: IPV6_GUIDE_LINK,
      },
      remedies: [
        ...(firewallFix.remedy ? [firewallFix.remedy] : []),
        ...(clientFix?.remedy ? [clientFix.remedy] : []),
      ],
    };
  }

  if (routerDrops && pinholeOpen && input.subject?.pinhole) {
    const pinhole = input.subject.pinhole;
    const steps = messages.steps("guidance.pinhole.steps", { port: port ?? "?" });
    if (clientFix) {
      steps.push(...clientFix.guidance.steps);
      if (clientFix.remedy) remedies.push(clientFix.remedy);
    }
    return {
      status: "WARN",
      summary: messages.text("summary.pinhole-waiting", {
        address: input.subject.address ?? address,
        port: port ?? "?",
        gateway: pinhole.gateway ?? "?",
        filtering,
      }),
      facts,
      guidance: { title: messages.text("guidance.pinhole.title"), steps, docs: IPV6_GUIDE_LINK },
      ...(remedies.length > 0 ? { remedies } : {}),
    };
  }

  if (routerDrops) {
    const r = router as RouterFiltering;
    const guidance = routerGuidance(address, port);
    if (clientFix) {
      guidance.steps.push(...clientFix.guidance.steps);
      if (clientFix.remedy) remedies.push(clientFix.remedy);
    }
    return {
      status: "FAIL",
      summary: messages.text("summary.router-firewall", {
        address,
        filtering,
        servers: r.answered.join(", "),
      }),
      facts,
      guidance,
      ...(remedies.length > 0 ? { remedies } : {}),
    };
  }
  if (clientFix)
    return {
      status: "FAIL",
      summary: clientFix.summary,
      facts,
      guidance: clientFix.guidance,
      ...(clientFix.remedy ? { remedies: [clientFix.remedy] } : {}),
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
  // TCP is reachable but uTP and the DHT are not: peers get in, fewer of them.
  if (listeners && listeners.udp.length > 0 && !listeners.udpOnIpv6)
    return {
      status: "WARN",
      summary: messages.text("summary.udp-ipv4-only", {
        port: listeners.port,
        bound: listeners.udp.join(", "),
      }),
      facts,
      guidance: clientGuidance(listeners.port),
    };
  const waitingNote = swarmNote(input);
  if (filtering === "ENDPOINT_INDEPENDENT") {
    const r = router as RouterFiltering;
    const main = messages.text("summary.open", { address, servers: r.answered.join(", ") });
    return {
      status: "PASS",
      summary: listeners ? main : messages.text("summary.open.port-unchecked", { main }),
      facts,
      ...(waitingNote ? { guidance: waitingNote } : {}),
    };
  }
  if (masked && input.probePort)
    return {
      status: "WARN",
      summary: messages.text("summary.router-masked", {
        address,
        port: input.probePort.port,
        layer: input.probePort.droppedBy ?? "?",
      }),
      facts,
      guidance: {
        title: messages.text("guidance.masked.title"),
        steps: messages.steps("guidance.masked.steps"),
        docs: IPV6_GUIDE_LINK,
      },
    };
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
      steps: [
        ...messages.steps("guidance.unknown.steps"),
        ...(port === undefined ? [messages.text("guidance.port-unknown")] : []),
      ],
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

/** The client listens on IPv4 only: its adapter can change that (a remedy), or its setting is named. */
function clientFixOf(
  client: ClientListening | undefined,
  port: number | undefined,
  bound: readonly string[],
): { summary: LocalizedText; guidance: Guidance; remedy?: Remedy } {
  const shown = port ?? "?";
  if (client && "listens" in client && client.listens === false) {
    const summary = messages.text("summary.client-setting-ipv4", { setting: client.setting, port: shown });
    if (client.changeable)
      return {
        summary,
        guidance: {
          title: messages.text("guidance.client.title", { port: shown }),
          steps: [messages.text("guidance.client.remedy", { setting: client.setting })],
          docs: IPV6_GUIDE_LINK,
        },
        remedy: {
          id: "listen-on-ipv6",
          title: messages.text("remedy.listen.title"),
          description: messages.text("remedy.listen.description", { setting: client.setting }),
        },
      };
    return {
      summary,
      guidance: {
        title: messages.text("guidance.client.title", { port: shown }),
        steps: [
          messages.text("guidance.client.setting", { setting: client.setting }),
          ...messages.steps("guidance.client.steps", { port: shown }),
        ],
        docs: IPV6_GUIDE_LINK,
      },
    };
  }
  return {
    summary: messages.text("summary.client-ipv4-only", {
      port: shown,
      bound: bound.join(", "),
    }),
    guidance: clientGuidance(port ?? 0),
  };
}

function firewallFixOf(firewall: HostFirewall6): { steps: LocalizedText[]; remedy?: Remedy } {
  const commands = firewall.allow.map(shellLine);
  // DSM rewrites its own rules from its settings: the port is opened there, not by a command of ours.
  if (commands.length === 0)
    return {
      steps: [
        messages.text("guidance.host-firewall.why", { port: firewall.port }),
        messages.text("guidance.host-firewall.manual", { port: firewall.port }),
      ],
    };
  return {
    steps: [
      messages.text("guidance.host-firewall.why", { port: firewall.port }),
      ...commands.map((command) => messages.text("guidance.host-firewall.command", { command })),
      messages.text("guidance.host-firewall.remedy"),
    ],
    remedy: {
      id: "allow-ipv6-port",
      title: messages.text("remedy.allow.title", { port: firewall.port }),
      description: messages.text("remedy.allow.description", { port: firewall.port }),
      commands,
      requiresRoot: true,
    },
  };
}

/** The path looks open but no peer has come in yet: say what the swarm could and could not tell. */
function swarmNote(input: Ipv6Input): Guidance | undefined {
  const swarm = input.swarm;
  if (!swarm || swarm.tunnels.length === 0) return undefined;
  const unknown = swarm.tunnels.reduce((n, t) => n + t.unknownDirectionIpv6, 0);
  return {
    title: messages.text("guidance.swarm.title"),
    steps: [
      unknown > 0
        ? messages.text("guidance.swarm.undirected", { count: unknown })
        : messages.text("guidance.swarm.none"),
    ],
    docs: IPV6_GUIDE_LINK,
  };
}

function baseFacts(input: Ipv6Input): Record<string, unknown> {
  const { host, router, subject, firewall, client, swarm } = input;
  const unknownDirection = swarm?.tunnels.reduce((n, t) => n + t.unknownDirectionIpv6, 0) ?? 0;
  return {
    addresses: host.addresses,
    defaultRoute: host.defaultRoute === "none" ? null : host.defaultRoute,
    hasDefaultRoute: host.defaultRoute === null ? null : host.defaultRoute !== "none",
    port: input.port ?? null,
    portSource: subject?.portSource ?? (input.port === undefined ? "unknown" : "config"),
    tunnel: subject?.tunnelId ?? null,
    pinhole: subject?.pinhole ?? null,
    probePort: input.probePort ?? null,
    listeners: host.listeners,
    client: client ?? null,
    hostFirewall: firewall
      ? {
          manager: firewall.manager,
          tcp: firewall.tcp,
          udp: firewall.udp,
          allow: firewall.allow.map(shellLine),
          appliedRules: firewall.applied,
          sources: firewall.sources,
          notes: firewall.notes,
          ...(firewall.unreadable ? { unreadable: firewall.unreadable } : {}),
        }
      : null,
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
    swarm: swarm
      ? {
          tunnels: swarm.tunnels,
          ...(unknownDirection > 0
            ? {
                note: `${unknownDirection} IPv6 peer(s) without a direction from the client: they prove nothing about inbound`,
              }
            : {}),
        }
      : null,
    incomingIpv6Peers: input.proofs ?? [],
    unreadable: host.unreadable,
  };
}
