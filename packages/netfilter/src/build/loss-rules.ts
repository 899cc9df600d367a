/** Transport protocols a random-loss rule can target. */
export type LossProtocol = "udp" | "tcp";

/**
 * A rule that drops `percent` % of the packets of `protocol`, each one on its own coin toss: the
 * kernel's `numgen random mod 100` draws a fresh number per packet, so losses are independent, as on a
 * congested link without bursts. Kernels without netem (sch_netem) still have this, which is why the
 * NAT lab emulates a lossy path with it. 0 % gives no rule at all.
 */
export function randomDropRule(protocol: LossProtocol, percent: number): string | undefined {
  if (protocol !== "udp" && protocol !== "tcp")
    throw new Error(`random loss is for udp or tcp, not ${JSON.stringify(protocol)}`);
  if (!Number.isInteger(percent) || percent < 0 || percent > 100)
    throw new Error(
      `the loss of ${protocol} must be a whole percentage 0-100, not ${JSON.stringify(percent)}`,
    );
  if (percent === 0) return undefined;
  return `meta l4proto ${protocol} numgen random mod 100 < ${percent} drop`;
}
