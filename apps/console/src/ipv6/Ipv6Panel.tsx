import type { TunnelIpv6 } from "../dashboard/types.js";
import { protocolName, routerName } from "../dashboard/upnpFacts.js";
import { useI18n } from "../i18n/I18nContext.js";
import { pinholeStateKey } from "./ipv6Facts.js";
import { describeMoment } from "./moment.js";

/**
 * The downloader's IPv6 path on a tunnel card: where IPv6 peers connect (its own address and port, no
 * tunnel), and the pinhole AutoSTUN holds for it in the router's IPv6 firewall.
 */
export function Ipv6Panel({ tunnelId, ipv6, now }: { tunnelId: string; ipv6: TunnelIpv6; now: number }) {
  const { t, locale } = useI18n();
  const titleId = `tunnel-${tunnelId}-ipv6`;
  const pinhole = ipv6.pinhole;
  const protocol = protocolName(pinhole?.protocol ?? null);

  let state: string;
  if (!pinhole) state = t("ipv6.fact.pinhole.none");
  else if (pinhole.state === "OPEN")
    state = pinhole.leaseEndsAt
      ? t("ipv6.fact.pinhole.openUntil", { until: describeMoment(t, locale, pinhole.leaseEndsAt, now) })
      : t("ipv6.fact.pinhole.open");
  else {
    const key = pinholeStateKey(pinhole.state);
    state = key ? t(key) : pinhole.state;
  }
  const transports = pinhole ? [pinhole.tcp && "TCP", pinhole.udp && "UDP"].filter(Boolean).join(", ") : "";

  return (
    <section className="tunnel__part" aria-labelledby={titleId} data-ipv6-pinhole={pinhole?.state ?? "NONE"}>
      <h4 className="tunnel__part-title" id={titleId}>
        {t("ipv6.title")}
        {protocol && <span className="tunnel__part-note">{protocol}</span>}
      </h4>
      <dl className="tunnel__facts">
        <div>
          <dt>{t("ipv6.tunnel.address")}</dt>
          <dd data-ipv6-address>
            {ipv6.address ? (
              <code>
                [{ipv6.address}]:
                <wbr />
                {ipv6.port}
              </code>
            ) : (
              t("ipv6.fact.address.none")
            )}
          </dd>
        </div>
        <div>
          <dt>{t("ipv6.tunnel.pinhole")}</dt>
          <dd data-ipv6-pinhole-state>{state}</dd>
        </div>
        {pinhole && (
          <div>
            <dt>{t("dashboard.upnp.router")}</dt>
            <dd title={pinhole.gateway ?? undefined}>
              {pinhole.gateway ? <code>{routerName(pinhole.gateway)}</code> : "—"}
            </dd>
          </div>
        )}
        {pinhole && (
          <div>
            <dt>{t("ipv6.tunnel.transports")}</dt>
            <dd>{transports || t("ipv6.tunnel.transportsNone")}</dd>
          </div>
        )}
      </dl>
      {pinhole?.error && (
        <p className="tunnel__problem" role="status" data-ipv6-error>
          <span>{pinhole.error}</span>
        </p>
      )}
    </section>
  );
}
