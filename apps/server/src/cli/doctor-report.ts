import type { CheckState } from "@autostun/extension-host";
import { isProblemStatus, localize } from "@autostun/plugins-api";

export interface JsonCheck {
  id: string;
  title: string;
  status: string;
  summary: string;
  facts: unknown;
  guidance: { title: string; steps: string[]; docs: string | null } | null;
}

/** The `--json` shape of the CLI contract. */
export function toJsonReport(states: readonly CheckState[], locale: string): { checks: JsonCheck[] } {
  return {
    checks: states.map((state) => ({
      id: state.id,
      title: localize(state.title, locale),
      status: state.status,
      summary: localize(state.summary, locale),
      facts: state.facts,
      guidance: state.guidance
        ? {
            title: localize(state.guidance.title, locale),
            steps: state.guidance.steps.map((step) => localize(step, locale)),
            docs: state.guidance.docs ?? null,
          }
        : null,
    })),
  };
}

// ERROR means the check itself broke, not the network: flutter doctor's crash mark keeps it apart from FAIL.
const MARKS: Record<string, string> = {
  PASS: "✓",
  WARN: "!",
  FAIL: "✗",
  ERROR: "☠",
  SKIP: "-",
  PENDING: "?",
  RUNNING: "…",
};
const COLORS: Record<string, string> = { PASS: "32", WARN: "33", FAIL: "31", ERROR: "35", SKIP: "90" };

const WORDS = {
  en: {
    broke: "the check itself broke",
    none: "No issues found.",
    problems: (fail: number, error: number, warn: number) =>
      `${fail} failed, ${error} broke, ${warn} warning${warn === 1 ? "" : "s"}.`,
    docs: "More",
  },
  "zh-CN": {
    broke: "检查本身出错",
    none: "没有发现问题。",
    problems: (fail: number, error: number, warn: number) =>
      `${fail} 项未通过，${error} 项检查出错，${warn} 项警告。`,
    docs: "详见",
  },
};

/** flutter-doctor style: one line per check, the guidance under each that needs action. */
export function toTextReport(states: readonly CheckState[], locale: string, color: boolean): string {
  const words = locale.startsWith("zh") ? WORDS["zh-CN"] : WORDS.en;
  const paint = (status: string, text: string) =>
    color && COLORS[status] ? `\u001b[${COLORS[status]}m${text}\u001b[0m` : text;
  const lines: string[] = [];
  for (const state of states) {
    const mark = paint(state.status, `[${MARKS[state.status] ?? "?"}]`);
    const broke = state.status === "ERROR" ? ` (${words.broke})` : "";
    lines.push(`${mark} ${localize(state.title, locale)}${broke}: ${localize(state.summary, locale)}`);
    if ((state.status === "WARN" || state.status === "FAIL" || state.status === "ERROR") && state.guidance) {
      lines.push(`    ${localize(state.guidance.title, locale)}`);
      for (const [index, step] of state.guidance.steps.entries()) {
        lines.push(`      ${index + 1}. ${localize(step, locale)}`);
      }
      if (state.guidance.docs) lines.push(`      ${words.docs}: ${state.guidance.docs}`);
    }
  }
  const count = (status: string) => states.filter((state) => state.status === status).length;
  const problems = states.some((state) => isProblemStatus(state.status)) || count("WARN") > 0;
  lines.push(
    "",
    problems ? `• ${words.problems(count("FAIL"), count("ERROR"), count("WARN"))}` : `• ${words.none}`,
  );
  return `${lines.join("\n")}\n`;
}
