/** The built-in kinds whose clients have no API key: their adapters ignore one and log in as before. */
const WITHOUT_API_KEY: ReadonlySet<string> = new Set(["transmission", "deluge", "aria2"]);

/**
 * Whether a tunnel's downloader signs in with its API key, so that a refusal is the key's to name. A key
 * given to a built-in client that has none is ignored by its adapter: the user name and password are what
 * it sends, and what a refusal is about. A plugin's kind is taken to use the key it is given.
 */
export function signsInWithApiKey(settings: { kind: string; apiKey?: string | undefined }): boolean {
  return Boolean(settings.apiKey) && !WITHOUT_API_KEY.has(settings.kind);
}
