/**
 * The wait before restarting a crashed plugin: `first`, doubled for each crash in a row, never more than
 * `cap`. A plugin that crashes at once every time costs a few restarts, never a spin.
 */
export function restartDelay(crashesInARow: number, first: number, cap: number): number {
  const exponent = Math.max(0, Math.min(30, crashesInARow - 1));
  return Math.min(cap, first * 2 ** exponent);
}
