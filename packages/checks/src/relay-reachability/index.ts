import { type ExtensionContext, Services } from "@autostun/plugins-api";
import { decideReachability } from "./verdict.js";

/**
 * Built-in check `relay.reachability`: the only proof that the port works is a peer that came in
 * through it, so this reads the relay's live record of arrivals and, while none came, points at the
 * check most likely to explain why.
 */
export function activate(context: ExtensionContext): void {
  context.subscriptions.push(
    context.registerCheck("relay.reachability", {
      async run({ services, dependency }) {
        const tunnels = await services.get(Services.TunnelActivity).tunnels();
        return decideReachability({
          tunnels,
          firewall: dependency("firewall.inbound"),
          nat: dependency("nat.type"),
          now: new Date(),
        });
      },
    }),
  );
}
