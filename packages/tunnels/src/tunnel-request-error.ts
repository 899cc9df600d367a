/** A request about a tunnel the API cannot carry out; the message tells the client why. */
export class TunnelRequestError extends Error {
  constructor(
    message: string,
    readonly code:
      | "UNKNOWN_TUNNEL"
      | "TUNNEL_IN_CONFIG"
      | "TARGET_REFUSED"
      | "FORWARDING_REFUSED"
      | "NO_DOWNLOADER"
      | "NOT_OPEN"
      | "TOO_MANY_TUNNELS"
      | "OUT_OF_DESCRIPTORS",
  ) {
    super(message);
    this.name = "TunnelRequestError";
  }
}
