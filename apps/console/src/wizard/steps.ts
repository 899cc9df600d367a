import type { CheckStatus } from "../graphql/types.js";
import type { DownloaderPushState, TunnelState } from "./types.js";

/** The wizard's steps, in the user guide's order. */
export const STEP_IDS = [
  "public-ip",
  "nat",
  "ipv6",
  "docker",
  "firewall",
  "security",
  "downloader",
  "enable",
  "proof",
] as const;

export type StepId = (typeof STEP_IDS)[number];

/** The check each diagnostic step shows; the downloader and enable steps are the user's own actions. */
export const STEP_CHECKS: Readonly<Partial<Record<StepId, string>>> = {
  "public-ip": "network.public-ip",
  nat: "nat.type",
  ipv6: "ipv6.reachability",
  docker: "docker.network-mode",
  firewall: "firewall.inbound",
  security: "antivirus.hints",
  proof: "relay.reachability",
};

export function isStepId(value: unknown): value is StepId {
  return typeof value === "string" && (STEP_IDS as readonly string[]).includes(value);
}

/**
 * Where a step stands, in the user's terms:
 * - passed: nothing to do here;
 * - skipped: does not apply to this host (no Docker, say): nothing to do either;
 * - attention: worth reading (a warning), but the user may go on once they have;
 * - blocked: AutoSTUN cannot work until this is fixed;
 * - broke: the check itself failed to finish; it says nothing about the network;
 * - waiting: a verdict is on its way;
 * - missing: the daemon has no such check (an older daemon, or the check's extension did not load);
 * - todo: the user has something to enter or press.
 */
export type StepState =
  | "passed"
  | "skipped"
  | "attention"
  | "blocked"
  | "broke"
  | "waiting"
  | "missing"
  | "todo";

/** What a check status means for the wizard. SKIP means "does not apply here" (no Docker, say). */
export function stateOfStatus(status: CheckStatus | undefined): StepState {
  switch (status) {
    case undefined:
      return "missing";
    case "PASS":
      return "passed";
    case "SKIP":
      return "skipped";
    case "WARN":
      return "attention";
    case "FAIL":
      return "blocked";
    case "PENDING":
    case "RUNNING":
      return "waiting";
    default:
      // ERROR, or a status a newer daemon invented: the console cannot vouch for it.
      return "broke";
  }
}

/** What the enable step reads of a tunnel: its state and, when it has one, its downloader's push. */
export interface TunnelSummary {
  state: TunnelState;
  /** The push of the public port into the downloader; undefined without a downloader. */
  push?: DownloaderPushState | undefined;
}

/**
 * The enable step: done once a tunnel is OPEN and its downloader (if any) did not refuse the port. An
 * open tunnel whose downloader needs the user (a refused password) needs a look, not a pass: peers
 * would arrive at a port the downloader does not announce.
 */
export function stateOfTunnels(tunnels: readonly TunnelSummary[]): StepState {
  if (tunnels.length === 0) return "todo";
  const open = tunnels.filter((tunnel) => tunnel.state === "OPEN");
  if (open.some((tunnel) => tunnel.push !== "FAILED")) return "passed";
  if (open.length > 0) return "attention";
  const states = tunnels.map((tunnel) => tunnel.state);
  if (states.some((state) => state === "OPENING" || state === "RECOVERING")) return "waiting";
  if (states.includes("FAILED")) return "blocked";
  return "attention";
}

/**
 * Steps whose failure is measured on the path itself and so cannot be argued with: NAT3 stays NAT3
 * whatever the user believes. The host checks (Docker, firewall, security software) infer from signs on
 * this machine and can be wrong (a veth that is not Docker's bridge), so the user may overrule them.
 */
const MEASURED: ReadonlySet<StepId> = new Set<StepId>(["public-ip", "nat", "proof"]);

/**
 * Steps for a path beside the tunnel: IPv6 reaches the downloader without AutoSTUN's tunnel, so a closed
 * IPv6 path is worth fixing but does not stop the IPv4 setup that follows.
 */
const OPTIONAL: ReadonlySet<StepId> = new Set<StepId>(["ipv6"]);

/** True for a step whose failure the user may leave for later, because the tunnel works without it. */
export function isOptionalStep(step: StepId): boolean {
  return OPTIONAL.has(step);
}

/** States a user may step past after reading them ("continue anyway"). */
export function canContinueAnyway(state: StepState, step?: StepId): boolean {
  if (state === "attention" || state === "broke" || state === "missing" || state === "skipped") return true;
  return state === "blocked" && step !== undefined && !MEASURED.has(step);
}

/**
 * The step "Next" leads to from `shown`: the following one, passing over steps that are done because they
 * do not apply here (no IPv6, no Docker), so the user is not sent to a page with nothing on it.
 */
export function nextStepIndex(states: readonly StepState[], shown: number): number | undefined {
  for (let index = shown + 1; index < STEP_IDS.length; index++) {
    const step = STEP_IDS[index] as StepId;
    if (!(states[index] === "skipped" && isDone("skipped", false, step))) return index;
  }
  return undefined;
}

/** Done: passed, or read and accepted by the user where that is allowed. */
export function isDone(state: StepState, accepted: boolean, step?: StepId): boolean {
  if (state === "passed") return true;
  // A host check that does not apply (no Docker) is done; a measured one that did not run (NAT type
  // skipped because no STUN server answered) has not told the user anything yet.
  if (state === "skipped" && !(step && MEASURED.has(step))) return true;
  return accepted && canContinueAnyway(state, step);
}

/**
 * The step the user is on: the first one not done. Equal to the number of steps when all are done.
 * Steps after it are locked: the guide's order matters (no point enabling a tunnel behind NAT3).
 */
export function currentStepIndex(states: readonly StepState[], accepted: ReadonlySet<StepId>): number {
  const index = states.findIndex((state, i) => {
    const step = STEP_IDS[i] as StepId;
    return !isDone(state, accepted.has(step), step);
  });
  return index === -1 ? states.length : index;
}

/** The step a link names, by step id (`nat`) or by the id of the check it shows (`nat.type`). */
export function stepForLink(requested: string | undefined): StepId | undefined {
  if (requested === undefined || isStepId(requested)) return requested;
  return STEP_IDS.find((id) => STEP_CHECKS[id] === requested);
}

/**
 * The step to show: the one the address asks for when it is reachable, else the current one. Other
 * pages link a check to its step (`#/wizard/nat.type`).
 */
export function shownStepIndex(requested: string | undefined, current: number): number {
  const last = STEP_IDS.length - 1;
  const step = stepForLink(requested);
  const index = step ? STEP_IDS.indexOf(step) : -1;
  if (index !== -1 && index <= current) return index;
  return Math.min(current, last);
}

/** Colour family of a step mark: pass green, warn amber, fail red, grey for waiting or not applicable. */
export type StepTone = "pass" | "warn" | "fail" | "error" | "idle";

export function toneOf(state: StepState): StepTone {
  switch (state) {
    case "passed":
      return "pass";
    case "attention":
      return "warn";
    case "blocked":
      return "fail";
    case "broke":
      return "error";
    default:
      return "idle";
  }
}
