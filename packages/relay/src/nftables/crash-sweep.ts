import { Nftables, type TableRef } from "@autostun/netfilter";
import type { CommandRunner, Logger } from "@autostun/plugins-api";
import type { KernelStateFile } from "./kernel-state-file.js";
import { parseGuardComment } from "./localnet-scope.js";
import { readRouteLocalnet, writeRouteLocalnet } from "./route-localnet.js";
import { LOCALNET_GUARD_CHAIN } from "./tunnel-rules.js";

export interface CrashSweepOptions {
  runner: CommandRunner;
  /** Our tables: whatever a run that ended without stopping left in them is taken out whole. */
  tables: readonly TableRef[];
  /** Absent where there is no dataDir on disk (an in-memory database). */
  stateFile?: KernelStateFile;
  /** False where nft cannot run for us (no root or CAP_NET_ADMIN): only the state file is looked at. */
  nftables: boolean;
  logger?: Logger;
}

/**
 * Run at every start, before any tunnel: a run that was killed (SIGKILL, power loss) left its table
 * and route_localnet as they were. Both go, whether or not a tunnel that needs them is configured now.
 * The previous route_localnet values come from the state file, and from the guard's comment when the
 * file is missing; after a ruleset flush only the file still knows them.
 */
export async function sweepKernelLeftovers(options: CrashSweepOptions): Promise<void> {
  const { runner, logger } = options;
  const previous: Record<string, string> = {};
  if (options.nftables) {
    const nft = new Nftables(runner);
    for (const table of options.tables) {
      try {
        const leftover = await nft.listTable(table, { timeoutMs: 10_000 });
        if (!leftover) continue;
        const guard = leftover.rules.find((rule) => rule.chain === LOCALNET_GUARD_CHAIN);
        Object.assign(previous, parseGuardComment(guard?.comment));
        await nft.removeTable(table);
        logger?.info(`nftables: removed table ${table.family} ${table.name} left by an earlier run`);
      } catch (error) {
        logger?.warn(
          `nftables: could not remove a table left by an earlier run: ${(error as Error).message}`,
        );
      }
    }
  }
  Object.assign(previous, options.stateFile?.read()?.routeLocalnet ?? {});
  let restored = true;
  for (const [iface, value] of Object.entries(previous)) {
    try {
      const current = await readRouteLocalnet(runner, iface).catch(() => undefined);
      // An interface that is gone took its setting with it.
      if (current === value || (current === undefined && iface !== "all")) continue;
      await writeRouteLocalnet(runner, value, iface);
      logger?.info(`route_localnet on ${iface} put back to ${value}, as before an earlier run changed it`);
    } catch (error) {
      restored = false;
      logger?.error(`could not put route_localnet on ${iface} back to ${value}: ${(error as Error).message}`);
    }
  }
  // Kept when something could not be restored, so a start with the rights to do it still knows how.
  if (restored) options.stateFile?.remove();
}
