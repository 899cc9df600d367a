import { useEffect } from "react";
import { useClient } from "urql";
import { landingRoute, type Route } from "../common/routes.js";
import { TUNNEL_IDS_QUERY } from "./documents.js";

/**
 * When the address names no page, asks the daemon whether any tunnel exists and opens the wizard or
 * the dashboard accordingly. If the daemon cannot say, the checks page opens: it works with any daemon.
 */
export function useLanding(
  route: Route | undefined,
  navigate: (route: Route, subpath?: string, options?: { replace?: boolean }) => void,
): void {
  const client = useClient();
  useEffect(() => {
    if (route) return;
    let active = true;
    void client
      .query(TUNNEL_IDS_QUERY, {})
      .toPromise()
      .then((result) => {
        if (!active) return;
        const landing = result.data ? landingRoute(result.data.tunnels.length) : undefined;
        navigate(landing ?? "checks", undefined, { replace: true });
      });
    return () => {
      active = false;
    };
  }, [client, route, navigate]);
}
