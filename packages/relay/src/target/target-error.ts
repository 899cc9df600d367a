/** A tunnel's `target` that the relay will not forward to; the daemon turns it into exit code 2. */
export class TargetRefusedError extends Error {
  readonly code = "TARGET_REFUSED";
  constructor(
    readonly tunnelId: string,
    readonly target: string,
    why: string,
    /** What to do instead; without it, the general rule of where a tunnel may point. */
    advice?: string,
  ) {
    super(
      `tunnel "${tunnelId}": target "${target}" is refused: ${why}. ${
        advice ??
        "A tunnel forwards only to this host or its LAN (loopback, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, " +
          'fc00::/7, or an address of this machine), so it can never act as an open proxy. Point it at the downloader, e.g. "127.0.0.1:6881".'
      }`,
    );
    this.name = "TargetRefusedError";
  }
}
