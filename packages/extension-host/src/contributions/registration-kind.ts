/** What a plugin can register at run time; each has a row in CONTRIBUTION_KINDS. */
export type RegistrationKind = "check" | "gatherer" | "downloader";
export const REGISTRATION_KINDS: readonly RegistrationKind[] = ["check", "gatherer", "downloader"];
