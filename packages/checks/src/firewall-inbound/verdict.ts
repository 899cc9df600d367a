import type { CheckResult, LocalizedText, Remedy } from "@autostun/plugins-api";
import { GUIDE_LINKS } from "../user-guide/links.js";
import { type Assessment, shellLine } from "./assess.js";
import { messages } from "./messages.js";
import type { PortSource } from "./ports.js";

/** Turns an assessment into the check's verdict, guidance and remedies. */
export function buildResult(assessment: Assessment, portSource: PortSource): CheckResult {
  const facts = {
    platform: assessment.platform,
    manager: assessment.manager,
    portSource,
    ports: assessment.ports.map((p) => ({ port: p.port, accepted: p.accepted, decisions: p.decisions })),
    appliedRules: assessment.applied.map((a) => a.description),
    sources: assessment.sources,
    notes: assessment.notes,
    ...assessment.extra,
  };
  const removal = removalRemedy(assessment);
  const portList = assessment.ports.map((p) => p.port).join(", ");
  if (assessment.unreadable !== undefined)
    return {
      status: "WARN",
      summary: messages.text("summary.unreadable", { why: assessment.unreadable, port: portList }),
      facts,
      guidance: {
        title: messages.text("guidance.unreadable.title"),
        steps: [messages.text("step.unreadable"), messages.text("step.risk")],
        docs: GUIDE_LINKS.firewall,
      },
    };
  const blocked = assessment.ports.filter((p) => p.accepted === false);
  const undecided = assessment.ports.filter((p) => p.accepted === null);
  if (blocked.length === 0 && undecided.length === 0) {
    const layers = [
      ...new Set(assessment.ports.flatMap((p) => p.decisions.map((d) => `${d.layer}: ${d.decidedBy}`))),
    ];
    return {
      status: "PASS",
      summary:
        assessment.manager === "none"
          ? messages.text("summary.pass.no-tool", { port: portList })
          : layers.length > 0
            ? messages.text("summary.pass", { port: portList, layers: layers.join("; ") })
            : messages.text("summary.pass.unfiltered", { port: portList }),
      facts,
      ...(removal ? { remedies: [removal] } : {}),
    };
  }
  const subject = blocked[0] ?? undecided[0];
  if (!subject) throw new Error("unreachable: a port is blocked or undecided");
  const steps: LocalizedText[] = [messages.text("step.why-fixed", { port: subject.port })];
  if (assessment.mac?.blockAll) steps.push(messages.text("step.mac-blockall"));
  for (const port of [...blocked, ...undecided]) steps.push(...ruleSteps(assessment, port.port, port.allow));
  steps.push(messages.text("step.risk"));
  const remedies: Remedy[] = [];
  if (assessment.manager !== "dsm") {
    steps.push(messages.text("step.remedy"));
    for (const port of [...blocked, ...undecided]) {
      remedies.push({
        id: `allow-port:${port.port}`,
        title: messages.text("remedy.allow.title", { port: port.port }),
        description: messages.text("remedy.allow.description", { port: port.port }),
        commands: port.allow.map(shellLine),
        requiresRoot: true,
      });
    }
  }
  if (removal) remedies.push(removal);
  const guidance = {
    title: messages.text("guidance.title", { port: subject.port }),
    steps,
    docs: GUIDE_LINKS.firewall,
  };
  if (blocked.length === 0)
    return {
      status: "WARN",
      summary: messages.text("summary.mac-unknown", { port: subject.port }),
      facts,
      guidance,
      remedies,
    };
  const reason = blocked[0]?.decisions.find((d) => d.verdict !== "accept");
  // A port counts as blocked only because some layer did not accept it, so there is always a reason.
  if (!reason) throw new Error("unreachable: a blocked port has no blocking layer");
  return {
    status: "FAIL",
    summary: messages.text("summary.fail", {
      port: blocked.map((p) => p.port).join(", "),
      reason: `${reason.layer}: ${reason.decidedBy}`,
    }),
    facts,
    guidance,
    remedies,
  };
}

function ruleSteps(assessment: Assessment, port: number, allow: string[][]): LocalizedText[] {
  const key = `step.${assessment.manager === "macos" ? "mac" : assessment.manager}`;
  if (assessment.manager === "dsm") return [messages.text(key, { port })];
  // ufw and firewalld give one command line (two joined with && for firewalld); nft/iptables one per layer.
  if (assessment.manager === "firewalld" || assessment.manager === "ufw" || assessment.manager === "macos")
    return [
      messages.text(key, {
        port,
        command: allow.map(shellLine).join(assessment.manager === "macos" ? " && sudo " : " && sudo "),
      }),
    ];
  return allow.map((argv) => messages.text(key, { port, command: shellLine(argv) }));
}

function removalRemedy(assessment: Assessment): Remedy | undefined {
  if (assessment.applied.length === 0) return undefined;
  return {
    id: "remove-rules",
    title: messages.text("remedy.remove.title"),
    description: messages.text("remedy.remove.description", { count: assessment.applied.length }),
    commands: assessment.applied.map((a) => shellLine(a.removeCommand)),
    requiresRoot: true,
  };
}
