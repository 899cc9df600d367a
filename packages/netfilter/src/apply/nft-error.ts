/** A failed nft run, carrying the command, nft's own words and what usually fixes it. */
export class NftError extends Error {
  constructor(
    readonly action: string,
    readonly reason: string,
  ) {
    super(`${action} failed: ${reason}${hint(reason)}`);
    this.name = "NftError";
  }
}

function hint(reason: string): string {
  if (reason === "ENOENT") return " (the nft program is not installed; install the nftables package)";
  if (/Operation not permitted|EPERM|EACCES/.test(reason))
    return " (changing nftables needs root or CAP_NET_ADMIN)";
  return "";
}
