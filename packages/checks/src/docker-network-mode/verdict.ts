import type { CheckResult } from "@autostun/plugins-api";
import { GUIDE_LINKS } from "../user-guide/links.js";
import type { ContainerRuntime, ContainerSign } from "./container-signs.js";
import { messages } from "./messages.js";
import type { DefaultRoute, LinkFacts, LinkKind } from "./network-interfaces.js";

/** The network a container got, as decided from its interfaces. */
export type NetworkMode =
  | "not-container"
  | "host"
  | "own-address"
  | "bridge"
  | "user-mode"
  | "none"
  | "unknown";

export interface Observations {
  signs: ContainerSign[];
  runtime: ContainerRuntime | null;
  links: LinkFacts[];
  defaultRoute: DefaultRoute | undefined;
}

/** Kinds only a host (or a VM) shows; a bridge-mode container never sees them. */
const HOST_KINDS: ReadonlySet<LinkKind> = new Set(["physical", "bridge", "wireless", "vlan"]);

/**
 * Decides from the kinds of interfaces, never from the gateway's address: a home LAN on 172.16/12 is
 * as common as a Docker bridge on 192.168/16, so addresses prove nothing.
 */
export function decideMode(observed: Observations): NetworkMode {
  if (observed.signs.length === 0) return "not-container";
  const external = observed.links.filter((link) => link.kind !== "loopback");
  if (external.length === 0) return "none";
  if (external.some((link) => HOST_KINDS.has(link.kind))) return "host";
  if (external.some((link) => link.kind === "macvlan" || link.kind === "ipvlan")) return "own-address";
  if (external.every((link) => link.kind === "veth")) return "bridge";
  if (external.every((link) => link.kind === "tun" || link.kind === "veth")) return "user-mode";
  return "unknown";
}

export function buildResult(observed: Observations): CheckResult {
  const mode = decideMode(observed);
  const runtime = observed.runtime ?? "unknown";
  const external = observed.links.filter((link) => link.kind !== "loopback");
  const interfaces = external.map((l) => `${l.name} (${l.kind})`).join(", ") || "-";
  const facts = {
    inContainer: mode !== "not-container",
    runtime: observed.runtime,
    networkMode: mode,
    signs: observed.signs,
    interfaces: observed.links,
    defaultRoute: observed.defaultRoute ?? null,
  };
  const fix = {
    title: messages.text("guidance.title"),
    steps: messages.steps("guidance.steps"),
    docs: GUIDE_LINKS.docker,
  };
  switch (mode) {
    case "not-container":
      return { status: "PASS", summary: messages.text("summary.no-container"), facts };
    case "host":
      return { status: "PASS", summary: messages.text("summary.host", { runtime }), facts };
    case "own-address": {
      const kind = external.find((l) => l.kind === "macvlan" || l.kind === "ipvlan")?.kind ?? "macvlan";
      return { status: "PASS", summary: messages.text("summary.own-address", { runtime, kind }), facts };
    }
    case "bridge":
      return {
        status: "FAIL",
        summary: messages.text("summary.bridge", {
          runtime,
          interfaces,
          gateway: observed.defaultRoute?.gateway ?? "-",
        }),
        facts,
        guidance: fix,
      };
    case "user-mode":
      return {
        status: "FAIL",
        summary: messages.text("summary.user-mode", { runtime, interfaces }),
        facts,
        guidance: fix,
      };
    case "none":
      return { status: "FAIL", summary: messages.text("summary.none", { runtime }), facts, guidance: fix };
    case "unknown":
      return {
        status: "WARN",
        summary: messages.text("summary.unknown", { runtime, interfaces }),
        facts,
        guidance: {
          title: messages.text("guidance.unknown.title"),
          steps: messages.steps("guidance.unknown.steps"),
          docs: GUIDE_LINKS.docker,
        },
      };
  }
}
