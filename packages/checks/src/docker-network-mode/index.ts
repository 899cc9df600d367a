import { type ExtensionContext, Services } from "@autostun/plugins-api";
import { findContainerSigns, runtimeOf } from "./container-signs.js";
import { readDefaultRoute, readLinks } from "./network-interfaces.js";
import { buildResult } from "./verdict.js";

/**
 * Built-in check `docker.network-mode`: inside a container, is the network the host's own? A bridge
 * (or user-mode) network adds a NAT of its own in front of the router's NAT1, which breaks traversal.
 */
export function activate(context: ExtensionContext): void {
  context.subscriptions.push(
    context.registerCheck("docker.network-mode", {
      async run({ services, signal }) {
        const files = services.get(Services.SystemFiles);
        const runner = services.get(Services.CommandRunner);
        const signs = await findContainerSigns(files);
        const links = signs.length > 0 ? await readLinks(files, runner, signal) : [];
        const defaultRoute = await readDefaultRoute(files);
        return buildResult({ signs, runtime: runtimeOf(signs), links, defaultRoute });
      },
    }),
  );
}
