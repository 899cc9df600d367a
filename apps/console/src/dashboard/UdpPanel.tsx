import { useI18n } from "../i18n/I18nContext.js";
import { formatSpan } from "./format.js";
import type { TunnelState, TunnelUdp } from "./types.js";
import { udpMatchKey, udpPortLine, udpSearchLine } from "./udpFacts.js";

const knownStates: readonly string[] = [
  "STOPPED",
  "OPENING",
  "OPEN",
  "RECOVERING",
  "FAILED",
] satisfies TunnelState[];

/**
 * The tunnel's UDP side: its own state, where it is, and above all whether it shares the TCP port, since
 * the downloader announces one port for TCP, uTP and DHT alike.
 */
export function UdpPanel({ tunnelId, udp, now }: { tunnelId: string; udp: TunnelUdp; now: number }) {
  const { t } = useI18n();
  const titleId = `tunnel-${tunnelId}-udp`;
  const line = udpPortLine(udp);
  const search = udpSearchLine(udp);
  const keepalive = udp.lastKeepaliveAt ? now - Date.parse(udp.lastKeepaliveAt) : null;
  const stats = udp.stats;

  return (
    <section
      className="tunnel__part"
      aria-labelledby={titleId}
      data-udp={udp.state}
      data-udp-same-port={udp.samePort}
    >
      <h4 className="tunnel__part-title" id={titleId}>
        {t("dashboard.udp")}{" "}
        <span className={`tunnel__state tunnel__state--${udp.state.toLowerCase()}`} data-udp-state>
          {knownStates.includes(udp.state) ? t(`dashboard.state.${udp.state as TunnelState}`) : udp.state}
        </span>
      </h4>
      <p className={line.same ? "tunnel__udp-same" : "tunnel__problem"} data-udp-port-line>
        <span>{t(line.key, line.params)}</span>
      </p>
      <dl className="tunnel__facts">
        <div>
          <dt>{t("dashboard.udp.publicAddress")}</dt>
          <dd>
            {udp.publicAddress ? (
              <code data-udp-public-address>
                {udp.publicAddress.ip}:<wbr />
                {udp.publicAddress.port}
              </code>
            ) : (
              "—"
            )}
          </dd>
        </div>
        <div>
          <dt>{t("dashboard.udp.localPort")}</dt>
          <dd className="num">{udp.localPort ?? "—"}</dd>
        </div>
        <div>
          <dt>{t("dashboard.udp.keepalive")}</dt>
          <dd className="num" data-udp-keepalive>
            {keepalive === null ? "—" : t("dashboard.ago", { span: formatSpan(keepalive) })}
          </dd>
        </div>
        {udp.match && (
          <div>
            <dt>{t("dashboard.udp.match")}</dt>
            <dd data-udp-match={udp.match}>{t(udpMatchKey(udp.match))}</dd>
          </div>
        )}
        {stats && (
          <div>
            <dt>{t("dashboard.udp.sessions")}</dt>
            <dd className="num" data-udp-sessions>
              {t("dashboard.udp.sessionsCount", { ...stats })}
            </dd>
          </div>
        )}
      </dl>
      {search && (
        <p className="tunnel__aside" data-udp-search={udp.search?.outcome}>
          {t(search.key, search.params)}
          {search.code && (
            <>
              {" "}
              <code>{search.code}</code>
            </>
          )}
        </p>
      )}
    </section>
  );
}
