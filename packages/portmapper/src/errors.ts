/**
 * A gateway answered but refused, or could not be reached. `code` is the UPnP error code (e.g. 606
 * "Action not authorized", 718 "ConflictInMappingEntry") or the NAT-PMP result code, when there is one.
 */
export class PortMappingError extends Error {
  override readonly name = "PortMappingError";
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }

  /** The gateway said no on purpose (permission, conflict), as opposed to not answering. */
  get refused(): boolean {
    return this.code !== undefined;
  }
}

/** Text of any thrown value, for status fields and logs. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
