import { describe, expect, it } from "vitest";
import {
  canContinueAnyway,
  currentStepIndex,
  nextStepIndex,
  STEP_IDS,
  type StepId,
  type StepState,
  shownStepIndex,
  stateOfStatus,
  stateOfTunnels,
  toneOf,
} from "./steps.js";

const none = new Set<StepId>();
/** States for all the steps: the given ones first, "todo" for the rest. */
const states = (...first: StepState[]): StepState[] => STEP_IDS.map((_, index) => first[index] ?? "todo");

describe("what a check status means in the wizard", () => {
  it("reads each status the way the user must act on it", () => {
    expect(stateOfStatus("PASS")).toBe("passed");
    expect(stateOfStatus("SKIP")).toBe("skipped");
    expect(stateOfStatus("WARN")).toBe("attention");
    expect(stateOfStatus("FAIL")).toBe("blocked");
    expect(stateOfStatus("ERROR")).toBe("broke");
    expect(stateOfStatus("RUNNING")).toBe("waiting");
    expect(stateOfStatus("PENDING")).toBe("waiting");
    expect(stateOfStatus(undefined)).toBe("missing");
  });

  it("colours pass green, warn amber, fail red, a broken check apart, and the rest grey", () => {
    expect(toneOf(stateOfStatus("PASS"))).toBe("pass");
    expect(toneOf(stateOfStatus("WARN"))).toBe("warn");
    expect(toneOf(stateOfStatus("FAIL"))).toBe("fail");
    expect(toneOf(stateOfStatus("ERROR"))).toBe("error");
    expect(toneOf(stateOfStatus("SKIP"))).toBe("idle");
    expect(toneOf(stateOfStatus("PENDING"))).toBe("idle");
  });

  it("lets the user step past a warning or a broken check, never past a measured failure", () => {
    expect(canContinueAnyway("attention", "public-ip")).toBe(true);
    expect(canContinueAnyway("broke", "nat")).toBe(true);
    expect(canContinueAnyway("blocked", "nat")).toBe(false);
    expect(canContinueAnyway("waiting", "docker")).toBe(false);
  });

  it("lets the user overrule a failed host check, which infers from signs and can be wrong", () => {
    expect(canContinueAnyway("blocked", "docker")).toBe(true);
    expect(canContinueAnyway("blocked", "firewall")).toBe(true);
    expect(canContinueAnyway("blocked", "security")).toBe(true);
    const dockerFailed = states("passed", "passed", "skipped", "blocked", "passed", "passed");
    expect(STEP_IDS[currentStepIndex(dockerFailed, none)]).toBe("docker");
    expect(STEP_IDS[currentStepIndex(dockerFailed, new Set<StepId>(["docker"]))]).toBe("downloader");
  });
});

describe("which step is current", () => {
  it("stops at the NAT step while the NAT is not NAT1, whatever comes after", () => {
    const nat3 = states("passed", "blocked", "passed", "passed", "passed", "passed");
    expect(STEP_IDS[currentStepIndex(nat3, none)]).toBe("nat");
    // Accepting does not get past a failure.
    expect(STEP_IDS[currentStepIndex(nat3, new Set<StepId>(["nat"]))]).toBe("nat");
  });

  it("moves on once a warning was read and accepted, and over steps that do not apply", () => {
    const warned = states("attention", "passed", "skipped", "skipped", "passed", "passed");
    expect(STEP_IDS[currentStepIndex(warned, none)]).toBe("public-ip");
    expect(STEP_IDS[currentStepIndex(warned, new Set<StepId>(["public-ip"]))]).toBe("downloader");
  });

  it("does not count a skipped NAT check as done: it measured nothing", () => {
    const natSkipped = states("passed", "skipped", "skipped", "passed");
    expect(STEP_IDS[currentStepIndex(natSkipped, none)]).toBe("nat");
    expect(STEP_IDS[currentStepIndex(natSkipped, new Set<StepId>(["nat"]))]).toBe("firewall");
  });

  it("waits on a step whose check is still running", () => {
    expect(STEP_IDS[currentStepIndex(states("passed", "waiting"), none)]).toBe("nat");
  });

  it("is past the end when every step is done", () => {
    const all = STEP_IDS.map((): StepState => "passed");
    expect(currentStepIndex(all, none)).toBe(STEP_IDS.length);
  });
});

describe("the IPv6 step, a path beside the tunnel", () => {
  it("comes right after the NAT step and shows ipv6.reachability", () => {
    expect(STEP_IDS.indexOf("ipv6")).toBe(STEP_IDS.indexOf("nat") + 1);
    expect(STEP_IDS[shownStepIndex("ipv6.reachability", 8)]).toBe("ipv6");
  });

  it("passes over a host without IPv6 as done, so the wizard goes on to Docker by itself", () => {
    const noIpv6 = states("passed", "passed", "skipped");
    expect(STEP_IDS[currentStepIndex(noIpv6, none)]).toBe("docker");
    expect(STEP_IDS[nextStepIndex(noIpv6, 1) ?? -1]).toBe("docker");
  });

  it("lets the user leave a closed IPv6 path for later: the IPv4 tunnel does not need it", () => {
    const closed = states("passed", "passed", "blocked");
    expect(STEP_IDS[currentStepIndex(closed, none)]).toBe("ipv6");
    expect(canContinueAnyway("blocked", "ipv6")).toBe(true);
    expect(STEP_IDS[currentStepIndex(closed, new Set<StepId>(["ipv6"]))]).toBe("docker");
    // Next from the NAT step leads to a step that has something to say.
    expect(STEP_IDS[nextStepIndex(closed, 1) ?? -1]).toBe("ipv6");
  });
});

describe("which step is shown", () => {
  it("shows a step the address asks for only when the user may be there", () => {
    expect(shownStepIndex("public-ip", 1)).toBe(0);
    expect(shownStepIndex("proof", 1)).toBe(1);
    expect(shownStepIndex("nonsense", 3)).toBe(3);
    expect(shownStepIndex(undefined, STEP_IDS.length)).toBe(STEP_IDS.length - 1);
  });

  it("finds a step from the check it shows, as the dashboard's status lights link it", () => {
    expect(STEP_IDS[shownStepIndex("nat.type", 4)]).toBe("nat");
    expect(STEP_IDS[shownStepIndex("antivirus.hints", 8)]).toBe("security");
    expect(STEP_IDS[shownStepIndex("relay.reachability", 8)]).toBe("proof");
    // A check without a step of its own shows the current step.
    expect(shownStepIndex("upnp.gateway", 2)).toBe(2);
  });
});

describe("the enable step from the tunnels", () => {
  it("passes once a tunnel is open, waits while one opens, and fails on a failed one", () => {
    expect(stateOfTunnels([])).toBe("todo");
    expect(stateOfTunnels([{ state: "OPENING" }])).toBe("waiting");
    expect(stateOfTunnels([{ state: "FAILED" }, { state: "OPEN" }])).toBe("passed");
    expect(stateOfTunnels([{ state: "FAILED" }])).toBe("blocked");
    expect(stateOfTunnels([{ state: "STOPPED" }])).toBe("attention");
  });

  it("needs a look when the tunnel is open but its downloader refused the port", () => {
    expect(stateOfTunnels([{ state: "OPEN", push: "FAILED" }])).toBe("attention");
    expect(stateOfTunnels([{ state: "OPEN", push: "RETRYING" }])).toBe("passed");
    expect(stateOfTunnels([{ state: "OPEN", push: "VERIFIED" }])).toBe("passed");
  });
});
