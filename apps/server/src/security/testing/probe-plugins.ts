import { verdict, writePlugins } from "../../testing/plugins.js";

/** Passes at once: if its status leaves PENDING, a refused request was executed after all. */
export const WITNESS = "probe.witness";
/** Runs until its signal aborts, far beyond any test: only a cancelled request can end it. */
export const HANG = "probe.hang";

/** Plugins the security suites use to see whether a request's work started, and whether it was stopped. */
export function writeProbePlugins(): string {
  return writePlugins([
    {
      name: "probes",
      checks: [{ id: WITNESS }, { id: HANG, timeoutMs: 600_000 }],
      activate: `${verdict(WITNESS, "PASS")}
        context.subscriptions.push(context.registerCheck(${JSON.stringify(HANG)}, {
          run: ({ signal }) => new Promise((_resolve, reject) => {
            signal.addEventListener("abort", () => reject(signal.reason), { once: true });
          }),
        }));`,
    },
  ]);
}
