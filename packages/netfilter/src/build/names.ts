const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Names we splice into scripts: letters, digits and underscores only, so nothing else gets in. */
export function assertName(name: string): void {
  if (!NAME.test(name))
    throw new Error(`"${name}" is not usable as an nftables name (letters, digits, _; at most 64)`);
}
