/** `forward: nftables` cannot run for a tunnel; the message says why and what to change. */
export class NftablesForwardingError extends Error {
  constructor(
    readonly tunnelId: string,
    what: string,
    remedy: string,
    options?: { cause?: unknown },
  ) {
    super(`tunnel "${tunnelId}": forward: nftables ${what}. ${remedy}`, options);
    this.name = "NftablesForwardingError";
  }
}

export const USE_USERSPACE = 'Set forward: "userspace" for this tunnel to forward in this process instead.';
