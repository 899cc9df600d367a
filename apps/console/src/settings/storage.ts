/**
 * localStorage that never throws: private windows and locked-down browsers refuse storage, and the
 * console must still work there, only without remembering choices.
 */
export const storage = {
  get(key: string): string | null {
    try {
      return globalThis.localStorage?.getItem(key) ?? null;
    } catch {
      return null;
    }
  },
  set(key: string, value: string | null): void {
    try {
      if (value === null) globalThis.localStorage?.removeItem(key);
      else globalThis.localStorage?.setItem(key, value);
    } catch {
      // Nothing to do: the choice lasts until the tab closes.
    }
  },
};

/** Where the API token is remembered between visits. */
export const TOKEN_STORAGE_KEY = "autostun.token";
