/** Thrown when the daemon must not start as configured; the CLI exits 2 with the message. */
export class StartupRefused extends Error {}
