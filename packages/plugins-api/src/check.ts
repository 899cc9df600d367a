import type { Guidance, Remedy, RemedyOutcome } from "./guidance.js";
import type { LocalizedText } from "./localized.js";
import type { Logger } from "./logger.js";
import type { ServiceAccessor } from "./services.js";
import type { CheckStatus, VerdictStatus } from "./status.js";

/** Facts a check gathered: plain JSON, shown to users and third parties as evidence of the verdict. */
export type Facts = { [key: string]: unknown };

/** What a check returns: the verdict, a one-line summary, the evidence, and what to do. */
export interface CheckResult {
  status: VerdictStatus;
  /** One line; shown beside the status mark. */
  summary: LocalizedText;
  facts?: Facts;
  /** Required in spirit for WARN and FAIL: every problem shown must be actionable. */
  guidance?: Guidance;
  remedies?: Remedy[];
}

/** A result as the host records it: any status, including `ERROR` for a broken check. */
export interface CheckOutcome {
  id: string;
  status: CheckStatus;
  summary: LocalizedText;
  facts: Facts;
  guidance?: Guidance;
  remedies?: Remedy[];
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
}

/** What a check gets while it runs. */
export interface CheckRunContext {
  /** Aborted when the check times out or the diagnosis is cancelled; pass it to every I/O call. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** The outcome of a check listed in `dependsOn`, already finished; undefined for any other id. */
  dependency(id: string): CheckOutcome | undefined;
  /**
   * The value of a gatherer (registered by any extension), computed at most once per diagnosis and
   * shared by every check that asks for it.
   */
  gather<T>(gathererId: string): Promise<T>;
  readonly services: ServiceAccessor;
}

/** The implementation behind a check id declared in a manifest's `contributes.checks`. */
export interface CheckImplementation {
  run(context: CheckRunContext): Promise<CheckResult>;
  /** Applies one of the remedies this check offered. Only called after the user confirmed it. */
  applyRemedy?(remedyId: string, context: RemedyContext): Promise<RemedyOutcome>;
}

/** What a remedy gets while it is applied. */
export interface RemedyContext {
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly services: ServiceAccessor;
}

/** Computes shared facts once per diagnosis (Lighthouse's gatherers): e.g. one STUN probe series. */
export interface Gatherer<T = unknown> {
  gather(context: GatherContext): Promise<T>;
}

export interface GatherContext {
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly services: ServiceAccessor;
  gather<T>(gathererId: string): Promise<T>;
}
