/**
 * For a test that acts as another user, mounts or loads nftables: without root it fails and says why,
 * instead of being skipped where nobody would notice.
 */
export function requireRoot(why = "it runs the daemon as another user, mounts or loads nftables"): void {
  if (process.getuid?.() !== 0) throw new Error(`this test needs root: ${why}`);
}
