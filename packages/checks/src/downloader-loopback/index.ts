import { type ExtensionContext, Services } from "@autostun/plugins-api";
import { decideLoopback } from "./verdict.js";

/**
 * Built-in check `downloader.loopback`: every downloader a tunnel pushes its port to must answer and take
 * its credentials (or the push cannot work), and should be on this host (or the forwarded peers lose
 * their addresses). The daemon's `Services.Downloaders` logs in for us; the password never comes here.
 */
export function activate(context: ExtensionContext): void {
  context.subscriptions.push(
    context.registerCheck("downloader.loopback", {
      async run({ services, signal }) {
        const downloaders = services.get(Services.Downloaders);
        const configured = await downloaders.list();
        if (configured.length === 0) return decideLoopback([], []);
        const [probes, addresses] = await Promise.all([
          Promise.all(
            configured.map((downloader) =>
              downloaders.probe(downloader.tunnelId, { signal }).catch((error: unknown) => {
                // A tunnel deleted since the list has nothing left to check; a cancelled run is not that.
                if (signal.aborted) throw error;
                return undefined;
              }),
            ),
          ),
          services.get(Services.NetworkInfo).addresses(),
        ]);
        return decideLoopback(
          configured.flatMap((downloader, i) => {
            const probe = probes[i];
            return probe ? [{ downloader, probe }] : [];
          }),
          addresses.map((entry) => entry.address),
        );
      },
    }),
  );
}
