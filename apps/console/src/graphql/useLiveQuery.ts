import type { AnyVariables, Client, DocumentInput } from "@urql/core";
import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { initialLiveState, type LiveState, liveReducer } from "./liveState.js";

export interface LiveQueryOptions<T, Loaded, Event> {
  /** Typed documents (`graphql()`): the fold functions below take their answers' types from them. */
  query: DocumentInput<Loaded, AnyVariables>;
  subscription: DocumentInput<Event, AnyVariables>;
  initial: T;
  /** Folds the query's answer into what the page holds. */
  loaded(data: Loaded, current: T): T;
  /** Folds one subscription event into what the page holds. */
  event(data: Event, current: T): T;
  /** Hears each subscription event once as it arrives (a fold may run more than once). */
  onEvent?(data: Event): void;
}

export interface LiveQuery<T> extends LiveState<T> {
  /** Changes the value in place, e.g. with a mutation's answer. */
  update(fold: (current: T) => T): void;
  /** Runs the query again (the subscription stays). */
  reload(): void;
}

/**
 * A value loaded by a query and kept current by a subscription: the pattern of every live page. The
 * query runs again when `reloadKey` changes (after the WebSocket came back, when events may have been
 * missed) and on `reload()`; the subscription lives as long as the client and its document.
 */
export function useLiveQuery<T, Loaded, Event>(
  client: Client,
  reloadKey: number,
  options: LiveQueryOptions<T, Loaded, Event>,
): LiveQuery<T> {
  const [state, dispatch] = useReducer(liveReducer<T>, options.initial, initialLiveState);
  const [reloads, setReloads] = useState(0);
  // The fold functions may be new on every render; only the documents decide when to ask again.
  const folds = useRef(options);
  folds.current = options;
  const { query, subscription } = options;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the counters exist to re-run this.
  useEffect(() => {
    let active = true;
    void client
      .query<Loaded>(query, {})
      .toPromise()
      .then((result) => {
        if (!active) return;
        const data = result.data;
        if (result.error || !data) {
          dispatch({ type: "failed", error: result.error?.message ?? "empty answer" });
          return;
        }
        dispatch({ type: "loaded", fold: (current) => folds.current.loaded(data, current) });
      });
    return () => {
      active = false;
    };
  }, [client, query, reloadKey, reloads]);

  useEffect(() => {
    const running = client.subscription<Event>(subscription, {}).subscribe((result) => {
      const data = result.data;
      if (!data) return;
      folds.current.onEvent?.(data);
      dispatch({ type: "changed", fold: (current) => folds.current.event(data, current) });
    });
    return () => running.unsubscribe();
  }, [client, subscription]);

  const update = useCallback((fold: (current: T) => T) => dispatch({ type: "changed", fold }), []);
  const reload = useCallback(() => setReloads((count) => count + 1), []);
  return { ...state, update, reload };
}
