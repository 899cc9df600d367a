import { useClient } from "urql";
import { useLiveChecks } from "../checks/useLiveChecks.js";
import { ErrorNotice } from "../common/ErrorNotice.js";
import { useI18n } from "../i18n/I18nContext.js";
import { Ipv6PathCard } from "../ipv6/Ipv6PathCard.js";
import "./dashboard.css";
import { StatusLights } from "./StatusLights.js";
import { TunnelCard } from "./TunnelCard.js";
import { useLiveTunnels } from "./useLiveTunnels.js";
import { useNow } from "./useNow.js";

/**
 * The overview: one light per check (each a way into the wizard) and a card per tunnel, all live.
 * `reloadKey` changes after the WebSocket came back, when events may have been missed.
 */
export function Dashboard({ reloadKey = 0 }: { reloadKey?: number }) {
  const { t } = useI18n();
  const client = useClient();
  const checks = useLiveChecks(client, reloadKey);
  const live = useLiveTunnels(client, reloadKey);
  const now = useNow();
  const ipv6 = checks.checks.find((check) => check.id === "ipv6.reachability");

  return (
    <div className="dashboard">
      <section className="dashboard__section" aria-labelledby="dashboard-modules">
        <h2 id="dashboard-modules" className="section-title">
          {t("dashboard.modules")}
        </h2>
        <ErrorNotice message={checks.loadError} text="checks.loadFailed" />
        <StatusLights checks={checks.checks} />
      </section>

      <section className="dashboard__section" aria-labelledby="dashboard-tunnels">
        <h2 id="dashboard-tunnels" className="section-title">
          {t("dashboard.tunnels")}
        </h2>
        <ErrorNotice message={live.loadError} text="dashboard.loadFailed" />
        <ErrorNotice message={live.actionError} text="dashboard.actionFailed" />
        {!live.loading && live.tunnels.length === 0 && !live.loadError && (
          <p className="notice">
            {t("dashboard.noTunnels")} <a href="#/wizard">{t("dashboard.openWizard")}</a>
          </p>
        )}
        <div className="tunnels">
          {live.tunnels.map((tunnel) => (
            <TunnelCard
              key={tunnel.id}
              tunnel={tunnel}
              history={live.history.get(tunnel.id) ?? []}
              openSeenAt={live.openSeen.get(tunnel.id)}
              now={now}
              busy={live.busy.has(tunnel.id)}
              onStart={() => void live.start(tunnel.id)}
              onStop={() => void live.stop(tunnel.id)}
              onPush={() => void live.pushPort(tunnel.id)}
              pushing={live.pushing.has(tunnel.id)}
              pushError={live.pushErrors.get(tunnel.id)}
            />
          ))}
          {ipv6 && <Ipv6PathCard check={ipv6} tunnels={live.tunnels} now={now} />}
        </div>
      </section>
    </div>
  );
}
