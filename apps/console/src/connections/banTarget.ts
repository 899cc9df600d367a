/**
 * The network to ban for a peer address as the daemon reports it (`1.2.3.4:5678` or
 * `[2001:db8::1]:5678`): the single host, `/32` or `/128`. Throws on anything else, naming it, since
 * banning a guessed network could lock out the wrong peers.
 */
export function banCidrFor(remoteAddress: string): string {
  const v6 = /^\[([0-9A-Fa-f:.]+)\]:\d+$/.exec(remoteAddress);
  if (v6) return `${v6[1]}/128`;
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(remoteAddress);
  if (v4) return `${v4[1]}/32`;
  throw new Error(`cannot tell the peer's IP address from "${remoteAddress}"`);
}

/** The lifetimes the ban dialog offers, in seconds; null bans until it is lifted. */
export const BAN_LIFETIMES: readonly (number | null)[] = [3600, 86_400, 7 * 86_400, 30 * 86_400, null];
