import type { Client } from "@urql/core";
import { useCallback, useState } from "react";
import {
  APPLY_REMEDY_MUTATION,
  CHECK_UPDATED_SUBSCRIPTION,
  CHECKS_QUERY,
  RUN_CHECKS_MUTATION,
} from "../graphql/documents.js";
import { useInFlight } from "../graphql/inFlight.js";
import type { Check, RemedyResult } from "../graphql/types.js";
import { useLiveQuery } from "../graphql/useLiveQuery.js";
import { applySnapshot, mergeChecks } from "./mergeChecks.js";

/** The check list as it stands, and the actions the page offers on it. */
export interface LiveChecks {
  checks: readonly Check[];
  /** True until the first answer to the query arrived. */
  loading: boolean;
  /** Why the list could not be loaded, if it could not. */
  loadError: string | null;
  /** Why the last run could not be started or finished, if it could not. */
  runError: string | null;
  runningAll: boolean;
  /** Ids of checks re-run one by one and not yet answered. */
  rerunning: ReadonlySet<string>;
  reload(): void;
  runAll(): Promise<void>;
  rerun(id: string): Promise<void>;
  /** Applies a remedy; throws with the daemon's message when the request itself failed. */
  applyRemedy(checkId: string, remedyId: string): Promise<RemedyResult>;
}

const none: readonly Check[] = [];

/**
 * Keeps the list current: loads it once per client (and per `reloadKey`), then folds in every
 * `checkUpdated` event and every mutation answer by id, so statuses change while a run is going.
 */
export function useLiveChecks(client: Client, reloadKey: number): LiveChecks {
  const live = useLiveQuery(client, reloadKey, {
    query: CHECKS_QUERY,
    subscription: CHECK_UPDATED_SUBSCRIPTION,
    initial: none,
    loaded: (data, current) => applySnapshot(current, data.checks),
    event: (data, current) => mergeChecks(current, [data.checkUpdated]),
  });
  const { update, reload } = live;
  const [runError, setRunError] = useState<string | null>(null);
  const [runningAll, setRunningAll] = useState(false);
  const rerunning = useInFlight();

  const merge = useCallback(
    (incoming: readonly Check[]) => update((list) => mergeChecks(list, incoming)),
    [update],
  );

  const run = useCallback(
    async (ids: string[] | undefined) => {
      const result = await client.mutation(RUN_CHECKS_MUTATION, ids ? { ids } : {}).toPromise();
      if (result.error || !result.data) {
        setRunError(result.error?.message ?? "empty answer");
        return;
      }
      setRunError(null);
      merge(result.data.runChecks);
    },
    [client, merge],
  );

  const runAll = useCallback(async () => {
    setRunningAll(true);
    try {
      await run(undefined);
    } finally {
      setRunningAll(false);
    }
  }, [run]);

  const rerun = useCallback((id: string) => rerunning.during(id, () => run([id])), [rerunning.during, run]);

  const applyRemedy = useCallback(
    async (checkId: string, remedyId: string) => {
      const result = await client.mutation(APPLY_REMEDY_MUTATION, { checkId, remedyId }).toPromise();
      if (result.error || !result.data) throw new Error(result.error?.message ?? "empty answer");
      const outcome = result.data.applyRemedy;
      if (outcome.check) merge([outcome.check]);
      return outcome;
    },
    [client, merge],
  );

  return {
    checks: live.value,
    loading: live.loading,
    loadError: live.loadError,
    runError,
    runningAll,
    rerunning: rerunning.keys,
    reload,
    runAll,
    rerun,
    applyRemedy,
  };
}
