/** What a live view holds: the value, whether the first load is still out, and why a load failed. */
export interface LiveState<T> {
  value: T;
  loading: boolean;
  loadError: string | null;
}

/**
 * Everything that can happen to a live view: the query answered (its data folded into what the page
 * holds, so events that arrived first are not lost), the query failed, or an event or a mutation's
 * answer changed the value.
 */
export type LiveAction<T> =
  | { type: "loaded"; fold: (current: T) => T }
  | { type: "failed"; error: string }
  | { type: "changed"; fold: (current: T) => T };

export function initialLiveState<T>(value: T): LiveState<T> {
  return { value, loading: true, loadError: null };
}

/** The next state; a failed load keeps what the page showed, so a reconnect hiccup blanks nothing. */
export function liveReducer<T>(state: LiveState<T>, action: LiveAction<T>): LiveState<T> {
  switch (action.type) {
    case "loaded":
      return { value: action.fold(state.value), loading: false, loadError: null };
    case "failed":
      return { ...state, loading: false, loadError: action.error };
    case "changed":
      return { ...state, value: action.fold(state.value) };
  }
}
