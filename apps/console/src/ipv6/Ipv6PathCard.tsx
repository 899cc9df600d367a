import { hashFor } from "../common/routes.js";
import { lightFor } from "../dashboard/lights.js";
import type { Tunnel } from "../dashboard/types.js";
import type { Check } from "../graphql/types.js";
import { useI18n } from "../i18n/I18nContext.js";
import { Ipv6FactList } from "./Ipv6FactList.js";
import { ipv6Facts } from "./ipv6Facts.js";

/** The pinhole the facts show: the first tunnel's that holds one (one downloader is the common case). */
function firstPinhole(tunnels: readonly Tunnel[]) {
  return tunnels.find((tunnel) => tunnel.ipv6?.pinhole)?.ipv6?.pinhole ?? null;
}

/**
 * The IPv6 path beside the tunnels: peers on IPv6 need no tunnel, so the dashboard shows whether they get
 * in (ipv6.reachability's verdict and facts) and the pinhole AutoSTUN holds for them. A host without IPv6
 * gets one line.
 */
export function Ipv6PathCard({
  check,
  tunnels,
  now,
}: {
  check: Check;
  tunnels: readonly Tunnel[];
  now: number;
}) {
  const { t } = useI18n();
  const light = lightFor(check.status);
  const skipped = check.status === "SKIP";
  return (
    <article className="tunnel ipv6-path" aria-labelledby="ipv6-path-title" data-ipv6-path={check.status}>
      <header className="tunnel__head">
        <h3 className="tunnel__title" id="ipv6-path-title">
          {t("ipv6.title")}
        </h3>
        <span className={`ipv6-path__status ipv6-path__status--${light.tone}`} data-tone={light.tone}>
          <span className="ipv6-path__dot" aria-hidden="true" />
          {t(light.label)}
        </span>
      </header>
      {skipped ? (
        <p className="tunnel__reason" data-ipv6-skipped>
          {check.summary}
        </p>
      ) : (
        <>
          <p className="tunnel__reason">{check.summary ?? t("checks.noSummary")}</p>
          <Ipv6FactList facts={ipv6Facts(check.facts, firstPinhole(tunnels))} now={now} />
          <p className="ipv6-path__lead">
            {t("ipv6.lead")} <a href={hashFor("wizard", "ipv6")}>{t("ipv6.details")}</a>
          </p>
        </>
      )}
    </article>
  );
}
