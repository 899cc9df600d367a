import type { CommandRunner } from "@autostun/plugins-api";

/**
 * Whether this daemon can load kernel rules: root can; anyone else can when `nft` itself works for them,
 * which is what counts under systemd's AmbientCapabilities=CAP_NET_ADMIN or in an image where only the
 * nft binary carries the capability. Asking nft is the one test that covers every one of those setups.
 */
export async function nftablesPermitted(runner: CommandRunner, isRoot: boolean): Promise<boolean> {
  if (isRoot) return true;
  const answer = await runner.run("nft", ["list", "tables"], { timeoutMs: 5_000 });
  return answer.exitCode === 0;
}
