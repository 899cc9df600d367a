import type { MessageKey } from "../i18n/en.js";
import type { MessageParams } from "../i18n/translate.js";

/** Whether a fact helps peers in (good), keeps them out (bad), or is not known. */
export type FactTone = "good" | "bad" | "unknown";

/** One line of the IPv6 path in the user's words: what it is about, what was found, and its colour. */
export interface Ipv6Fact {
  id: "address" | "router" | "listening" | "pinhole" | "swarm";
  label: MessageKey;
  /** The finding in words; absent when the finding is a value shown as it is (an address). */
  text?: MessageKey;
  params?: MessageParams;
  /** A value shown as it is, in every language. */
  literal?: string;
  tone: FactTone;
  /** The words for `params.state`, which the list puts in before showing the line. */
  stateWord?: MessageKey | undefined;
}

/** A pinhole as the reader needs it, from `Tunnel.ipv6.pinhole` or from the check's own facts. */
export interface PinholeView {
  state: string;
  leaseEndsAt?: string | null;
  error?: string | null;
}

// The check's facts are JSON the daemon may extend at any time: every field is read as unknown and
// checked before use, so a newer or older daemon shows less rather than breaking the page.

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/**
 * The address peers would reach: the one the router was measured from (the downloader's own), else the
 * first stable address the host has, else a temporary one.
 */
function addressFact(facts: Record<string, unknown>): Ipv6Fact {
  const label = "ipv6.fact.address";
  const measured = text(record(facts.router)?.from);
  if (measured) return { id: "address", label, literal: measured, tone: "good" };
  const listed = Array.isArray(facts.addresses)
    ? facts.addresses.map(record).filter((a) => a !== undefined)
    : null;
  if (listed === null) return { id: "address", label, text: "ipv6.fact.unknown", tone: "unknown" };
  const chosen =
    listed.find((a) => a.temporary !== true && text(a.address)) ?? listed.find((a) => text(a.address));
  const address = text(chosen?.address);
  if (!address) return { id: "address", label, text: "ipv6.fact.address.none", tone: "bad" };
  return chosen?.temporary === true
    ? { id: "address", label, text: "ipv6.fact.address.temporary", params: { address }, tone: "good" }
    : { id: "address", label, literal: address, tone: "good" };
}

function routerFact(facts: Record<string, unknown>): Ipv6Fact {
  const label = "ipv6.fact.router";
  const router = record(facts.router);
  const filtering = text(router?.filtering);
  if (filtering === "ENDPOINT_INDEPENDENT")
    return { id: "router", label, text: "ipv6.fact.router.open", tone: "good" };
  // This host's own firewall dropped the probes' answers first: the router was never seen.
  const probe = record(facts.probePort);
  if (filtering?.endsWith("_DEPENDENT") && probe?.accepted === false)
    return {
      id: "router",
      label,
      text: "ipv6.fact.router.maskedByHost",
      params: { layer: text(probe.droppedBy) ?? "?" },
      tone: "unknown",
    };
  if (filtering?.endsWith("_DEPENDENT"))
    return { id: "router", label, text: "ipv6.fact.router.filtered", params: { filtering }, tone: "bad" };
  const answered = strings(router?.answered);
  if (router && answered.length === 0)
    return { id: "router", label, text: "ipv6.fact.router.noAnswer", tone: "unknown" };
  return { id: "router", label, text: "ipv6.fact.router.unmeasured", tone: "unknown" };
}

function listeningFact(facts: Record<string, unknown>): Ipv6Fact {
  const label = "ipv6.fact.listening";
  const listeners = record(facts.listeners);
  if (!listeners) {
    const noPort = facts.port === null;
    return {
      id: "listening",
      label,
      text: noPort ? "ipv6.fact.listening.noPort" : "ipv6.fact.unknown",
      tone: "unknown",
    };
  }
  const port = typeof listeners.port === "number" ? listeners.port : "?";
  const bound = strings(listeners.tcp);
  if (listeners.tcpOnIpv6 === true)
    return {
      id: "listening",
      label,
      text: "ipv6.fact.listening.yes",
      params: { port, bound: bound.join(", ") },
      tone: "good",
    };
  if (bound.length === 0)
    return { id: "listening", label, text: "ipv6.fact.listening.nothing", params: { port }, tone: "bad" };
  return {
    id: "listening",
    label,
    text: "ipv6.fact.listening.ipv4Only",
    params: { port, bound: bound.join(", ") },
    tone: "bad",
  };
}

/** The pinhole a tunnel holds on the router; the tunnels' own view wins over the check's. */
function pinholeFact(facts: Record<string, unknown>, fromTunnel: PinholeView | null | undefined): Ipv6Fact {
  const label = "ipv6.fact.pinhole";
  const own = record(facts.pinhole);
  const pinhole: PinholeView | undefined =
    fromTunnel ??
    (own && text(own.state)
      ? {
          state: own.state as string,
          leaseEndsAt: text(own.leaseEndsAt) ?? null,
          error: text(own.error) ?? null,
        }
      : undefined);
  if (!pinhole) return { id: "pinhole", label, text: "ipv6.fact.pinhole.none", tone: "unknown" };
  if (pinhole.state === "OPEN")
    return pinhole.leaseEndsAt
      ? {
          id: "pinhole",
          label,
          text: "ipv6.fact.pinhole.openUntil",
          params: { until: pinhole.leaseEndsAt },
          tone: "good",
        }
      : { id: "pinhole", label, text: "ipv6.fact.pinhole.open", tone: "good" };
  const tone = pinhole.state === "FAILED" ? "bad" : "unknown";
  const state = pinholeStateKey(pinhole.state);
  if (pinhole.error)
    return {
      id: "pinhole",
      label,
      text: "ipv6.fact.pinhole.otherWhy",
      params: { state: pinhole.state, error: pinhole.error },
      stateWord: state,
      tone,
    };
  return state
    ? { id: "pinhole", label, text: state, tone }
    : { id: "pinhole", label, literal: pinhole.state, tone };
}

const pinholeStates: Readonly<Record<string, MessageKey>> = {
  SEARCHING: "ipv6.pinhole.SEARCHING",
  NO_GATEWAY: "ipv6.pinhole.NO_GATEWAY",
  FAILED: "ipv6.pinhole.FAILED",
  REMOVED: "ipv6.pinhole.REMOVED",
  UNSUPPORTED: "ipv6.pinhole.UNSUPPORTED",
};

/** The words for a pinhole state other than OPEN; undefined for one a newer daemon added. */
export function pinholeStateKey(state: string): MessageKey | undefined {
  return Object.hasOwn(pinholeStates, state) ? pinholeStates[state] : undefined;
}

/**
 * The outside proof: a peer that connected in over IPv6, as the downloader's own peer list tells
 * (`incomingIpv6Peers`, the earliest first, each with when it was first seen). Without one, what the
 * peer lists said (`swarm.tunnels`): nothing yet, or why they could not tell.
 */
function swarmFact(facts: Record<string, unknown>): Ipv6Fact {
  const label = "ipv6.fact.swarm";
  const proofs = Array.isArray(facts.incomingIpv6Peers)
    ? facts.incomingIpv6Peers.map(record).filter((proof) => proof !== undefined && text(proof.address))
    : [];
  const first = proofs[0];
  if (first) {
    const address = first.address as string;
    const at = text(first.firstSeenAt);
    return at
      ? {
          id: "swarm",
          label,
          text: "ipv6.fact.swarm.incomingAt",
          params: { address, at, count: proofs.length },
          tone: "good",
        }
      : {
          id: "swarm",
          label,
          text: "ipv6.fact.swarm.incoming",
          params: { address, count: proofs.length },
          tone: "good",
        };
  }
  const swarm = record(facts.swarm);
  if (!swarm) return { id: "swarm", label, text: "ipv6.fact.swarm.unasked", tone: "unknown" };
  const tunnels = Array.isArray(swarm.tunnels)
    ? swarm.tunnels.map(record).filter((t) => t !== undefined)
    : [];
  const told = tunnels.filter((tunnel) => tunnel.supported !== false && !text(tunnel.error));
  if (tunnels.length > 0 && told.length === 0) {
    const why = tunnels.map((tunnel) => text(tunnel.error)).find((error) => error !== undefined);
    return why
      ? { id: "swarm", label, text: "ipv6.fact.swarm.unknownWhy", params: { reason: why }, tone: "unknown" }
      : { id: "swarm", label, text: "ipv6.fact.swarm.untold", tone: "unknown" };
  }
  const undirected = told.reduce(
    (sum, tunnel) =>
      sum + (typeof tunnel.unknownDirectionIpv6 === "number" ? tunnel.unknownDirectionIpv6 : 0),
    0,
  );
  if (undirected > 0)
    return {
      id: "swarm",
      label,
      text: "ipv6.fact.swarm.undirected",
      params: { count: undirected },
      tone: "unknown",
    };
  return { id: "swarm", label, text: "ipv6.fact.swarm.none", tone: "unknown" };
}

/**
 * The facts of `ipv6.reachability` that decide whether IPv6 peers get in, one line each: the address they
 * would reach, the router's filtering, the downloader listening, the pinhole, and the proof from the swarm.
 * Empty when there are no facts (the check has not run).
 */
export function ipv6Facts(facts: unknown, pinhole?: PinholeView | null): Ipv6Fact[] {
  const object = record(facts);
  if (!object) return [];
  return [
    addressFact(object),
    routerFact(object),
    listeningFact(object),
    pinholeFact(object, pinhole),
    swarmFact(object),
  ];
}
