/**
 * A structured logger: a message, then fields. The host redacts every line the same way as its own:
 * values under keys named like tokens, passwords, API keys or cookies, and credentials in any URL.
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
