import type { Client } from "@urql/core";
import { useEffect, useRef } from "react";
import { WIZARD_CONNECTION_EVENTS } from "./documents.js";

/**
 * While the proof step waits, a peer opening a connection through any tunnel is the moment to ask
 * `relay.reachability` again: the daemon records the arrival, and the check turns it into the verdict.
 * Event-driven, so the wizard never polls; at most one re-run is under way at a time.
 */
export function useProofWatch(client: Client, waiting: boolean, rerun: () => Promise<void>): void {
  const running = useRef(false);
  const rerunRef = useRef(rerun);
  rerunRef.current = rerun;

  useEffect(() => {
    if (!waiting) return;
    const subscription = client.subscription(WIZARD_CONNECTION_EVENTS, {}).subscribe((result) => {
      if (result.data?.connectionEvents.type !== "OPENED" || running.current) return;
      running.current = true;
      void rerunRef.current().finally(() => {
        running.current = false;
      });
    });
    return () => subscription.unsubscribe();
  }, [client, waiting]);
}
