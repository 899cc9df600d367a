import { hashFor } from "../common/routes.js";
import { useI18n } from "../i18n/I18nContext.js";
import { describeTime } from "./relativeTime.js";
import type { TunnelUpnp } from "./types.js";
import { protocolName, routerName, upnpStateKey } from "./upnpFacts.js";

/** The tunnel's mapping on the home router in front of this host, and what its WAN address says. */
export function UpnpPanel({ tunnelId, upnp, now }: { tunnelId: string; upnp: TunnelUpnp; now: number }) {
  const { t } = useI18n();
  const titleId = `tunnel-${tunnelId}-upnp`;

  const protocol = protocolName(upnp.protocol);
  // No lease end reads "never" only for a mapping that exists; otherwise there is no lease at all.
  const lease =
    upnp.state !== "MAPPED"
      ? "—"
      : upnp.leaseEndsAt
        ? describeTime(t, upnp.leaseEndsAt, now)
        : t("dashboard.upnp.leaseEndless");

  return (
    <section className="tunnel__part" aria-labelledby={titleId} data-upnp={upnp.state}>
      <h4 className="tunnel__part-title" id={titleId}>
        {t("dashboard.upnp")}
        {protocol && <span className="tunnel__part-note">{protocol}</span>}
      </h4>
      <dl className="tunnel__facts">
        <div>
          <dt>{t("dashboard.upnp.mapping")}</dt>
          <dd data-upnp-state>{t(upnpStateKey(upnp.state))}</dd>
        </div>
        <div>
          <dt>{t("dashboard.upnp.router")}</dt>
          <dd title={upnp.gateway ?? undefined}>
            {upnp.gateway ? <code>{routerName(upnp.gateway)}</code> : "—"}
          </dd>
        </div>
        <div>
          <dt>{t("dashboard.upnp.external")}</dt>
          <dd>
            {upnp.externalIp ? (
              <code data-upnp-external data-address-kind={upnp.externalIpKind ?? undefined}>
                {upnp.externalIp}
                {upnp.externalPort !== null && (
                  <>
                    :<wbr />
                    {upnp.externalPort}
                  </>
                )}
              </code>
            ) : (
              "—"
            )}
          </dd>
        </div>
        <div>
          <dt>{t("dashboard.upnp.lease")}</dt>
          <dd className="num">{lease}</dd>
        </div>
      </dl>
      {/* The daemon judges the address (TunnelUpnp.secondNat), by the same rule as the check upnp.gateway. */}
      {upnp.secondNat && (
        <p className="tunnel__flag" data-another-nat>
          {t("dashboard.upnp.anotherNat", { ip: upnp.externalIp ?? "" })}{" "}
          {/* The wizard has no step for upnp.gateway: its guidance is on the Checks page. */}
          <a href={hashFor("checks")}>{t("dashboard.upnp.anotherNatLink")}</a>
        </p>
      )}
      {upnp.error && (
        <p className="tunnel__problem" role="status" data-upnp-error>
          <span>{upnp.error}</span>
        </p>
      )}
    </section>
  );
}
