import { type CheckResult, type ExtensionContext, type LocalizedText, Services } from "@autostun/plugins-api";
import { GUIDE_LINKS } from "../user-guide/links.js";
import { messages } from "./messages.js";
import { runningProcessNames } from "./process-scan.js";
import { type KnownProduct, productByProcess, productByWindowsName } from "./products.js";
import { readSecurityCenter } from "./windows-security-center.js";

/** A product found on this host, with the evidence it was found by. */
interface Finding {
  name: string;
  product: KnownProduct | undefined;
  evidence: string;
  filtersNetwork: boolean;
  enabled?: boolean | null;
}

/**
 * Built-in check `antivirus.hints`: security suites often replace or sit on top of the system firewall
 * and drop inbound peers. It never fails (we cannot see inside them); it warns with where to allow us.
 */
export function activate(context: ExtensionContext): void {
  context.subscriptions.push(
    context.registerCheck("antivirus.hints", {
      async run({ services, signal }): Promise<CheckResult> {
        const host = services.get(Services.HostInfo);
        const runner = services.get(Services.CommandRunner);
        const files = services.get(Services.SystemFiles);
        const ports = await services.get(Services.TunnelPorts).localPorts();
        const findings: Finding[] = [];
        let source: string;
        let problem: string | undefined;
        if (host.platform === "win32") {
          const reading = await readSecurityCenter(runner, signal);
          source = "root/SecurityCenter2";
          problem = reading.problem;
          for (const entry of reading.entries) {
            const product = productByWindowsName(entry.displayName);
            const known = findings.find((f) => f.name === (product?.name ?? entry.displayName));
            if (known) {
              known.evidence += `, ${entry.role}`;
              continue;
            }
            findings.push({
              name: product?.name ?? entry.displayName,
              product,
              evidence: `SecurityCenter2 ${entry.role}: ${entry.displayName}`,
              // An unknown product registered as a firewall filters traffic by definition.
              filtersNetwork: product ? product.filtersNetwork : true,
              enabled: entry.enabled,
            });
          }
        } else {
          const scan = await runningProcessNames(host.platform, files, runner, signal);
          source = scan.source;
          if (scan.names.length === 0) problem = `no process list could be read from ${scan.source}`;
          for (const name of scan.names) {
            const product = productByProcess(name);
            if (!product || findings.some((f) => f.product === product)) continue;
            findings.push({
              name: product.name,
              product,
              evidence: `process ${name}`,
              filtersNetwork: product.filtersNetwork,
            });
          }
        }
        return verdict(findings, { source, problem, ports });
      },
    }),
  );
}

function verdict(
  findings: Finding[],
  context: { source: string; problem: string | undefined; ports: number[] },
): CheckResult {
  const facts = {
    source: context.source,
    products: findings.map((f) => ({
      name: f.name,
      evidence: f.evidence,
      filtersNetwork: f.filtersNetwork,
      ...(f.enabled === undefined ? {} : { enabled: f.enabled }),
    })),
    ...(context.problem ? { problem: context.problem } : {}),
  };
  const filtering = findings.filter((f) => f.filtersNetwork);
  if (filtering.length === 0) {
    if (findings.length > 0)
      return {
        status: "PASS",
        summary: messages.text("summary.scanners-only", { names: findings.map((f) => f.name).join(", ") }),
        facts,
      };
    if (context.problem)
      return {
        status: "SKIP",
        summary: messages.text("summary.unreadable", { problem: context.problem }),
        facts,
      };
    return { status: "PASS", summary: messages.text("summary.none"), facts };
  }
  const params = {
    port: context.ports.length > 0 ? context.ports.join(", ") : "P",
    program: process.execPath,
  };
  const steps: LocalizedText[] = [messages.text("guidance.intro", params)];
  for (const finding of filtering) {
    steps.push(
      finding.product
        ? messages.text(`allow.${finding.product.id}`, params)
        : messages.text("allow.generic", { ...params, name: finding.name }),
    );
  }
  steps.push(messages.text("guidance.finish"));
  return {
    status: "WARN",
    summary: messages.text("summary.found", { names: filtering.map((f) => f.name).join(", ") }),
    facts,
    guidance: { title: messages.text("guidance.title"), steps, docs: GUIDE_LINKS.security },
  };
}
