import { type ExtensionContext, Services } from "@autostun/plugins-api";
import { decideUpnpGateway } from "./verdict.js";

/**
 * Built-in check `upnp.gateway`: a home router between this host and the ISP's gateway must forward the
 * tunnel's port, or peers stop at it. The daemon's `Services.UpnpGateway` gathers what the router says
 * (found? WAN address? does a short test mapping go through?); `verdict.ts` judges it. The tunnels'
 * IPv6 pinholes on the same router are listed beside it.
 */
export function activate(context: ExtensionContext): void {
  context.subscriptions.push(
    context.registerCheck("upnp.gateway", {
      async run({ services, signal }) {
        const [probe, tunnels] = await Promise.all([
          services.get(Services.UpnpGateway).probe({ signal }),
          services.get(Services.TunnelActivity).tunnels(),
        ]);
        return decideUpnpGateway(probe, tunnels);
      },
    }),
  );
}
