import { useMemo, useState } from "react";
import { useClient } from "urql";
import { ErrorNotice } from "../common/ErrorNotice.js";
import { formatBytes, formatRate } from "../dashboard/format.js";
import { useNow } from "../dashboard/useNow.js";
import type { MessageKey } from "../i18n/en.js";
import { useI18n } from "../i18n/I18nContext.js";
import { BanDialog } from "./BanDialog.js";
import { banCidrFor } from "./banTarget.js";
import { CountryChart } from "./CountryChart.js";
import "../dashboard/dashboard.css";
import "./connections.css";
import { peersByCountry } from "./countryChart.js";
import { countryName, flagOf } from "./flag.js";
import { currentRate } from "./mergeConnections.js";
import {
  filterByProtocol,
  PROTOCOL_FILTERS,
  type ProtocolFilter,
  parseProtocolFilter,
} from "./protocolFilter.js";
import {
  DEFAULT_SORT,
  pageOf,
  type SortKey,
  type SortOrder,
  sortConnections,
  toggleSort,
} from "./sortConnections.js";
import type { PeerConnection } from "./types.js";
import { useLiveConnections } from "./useLiveConnections.js";

const PAGE_SIZE = 25;

/** The columns before the sortable ones: a heading each, nothing to sort by. */
const plainColumns: ReadonlyArray<[MessageKey, string]> = [
  ["connections.protocol", "col-protocol"],
  ["connections.country", "col-country"],
  ["connections.city", "col-city"],
  ["connections.asn", "col-asn"],
  ["connections.peer", "col-addr"],
  ["connections.proxy", "col-addr col-proxy"],
];

/** Time of day for today's connections, date and time for older ones. */
function openedLabel(iso: string, locale: string, now: number): string {
  const opened = new Date(iso);
  const sameDay = new Date(now).toDateString() === opened.toDateString();
  return sameDay
    ? opened.toLocaleTimeString(locale, {
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        hourCycle: "h23",
      })
    : opened.toLocaleString(locale, {
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      });
}

/**
 * The connection table: every peer the tunnels forward, live, sortable by time, bytes and rate,
 * paged, with its place on the map; a row's "Ban" bans the peer after a confirmation.
 */
export function ConnectionsPage({ reloadKey = 0 }: { reloadKey?: number }) {
  const { t, locale } = useI18n();
  const client = useClient();
  const live = useLiveConnections(client, reloadKey);
  const now = useNow();
  const [order, setOrder] = useState<SortOrder>(DEFAULT_SORT);
  const [page, setPage] = useState(0);
  const [showClosed, setShowClosed] = useState(false);
  const [protocol, setProtocol] = useState<ProtocolFilter>("ALL");
  const [banning, setBanning] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const all = useMemo(() => [...live.table.byId.values()], [live.table]);
  const shown = useMemo(
    () => filterByProtocol(all, protocol).filter((connection) => showClosed || !connection.closedAt),
    [all, showClosed, protocol],
  );
  const rates = useMemo(
    () => new Map(shown.map((connection) => [connection.id, currentRate(live.table, connection.id, now)])),
    [shown, live.table, now],
  );
  const sorted = useMemo(() => sortConnections(shown, order, rates), [shown, order, rates]);
  const paged = pageOf(sorted, page, PAGE_SIZE);
  const counts = useMemo(() => peersByCountry(all), [all]);

  const sortHeader = (key: SortKey, label: MessageKey, className: string) => {
    const active = order.key === key;
    return (
      <th
        scope="col"
        className={className}
        aria-sort={active ? (order.direction === "asc" ? "ascending" : "descending") : "none"}
      >
        <button
          type="button"
          className="sort"
          onClick={() => setOrder(toggleSort(order, key))}
          data-sort={key}
        >
          {t(label)}
          <span className="sort__arrow" aria-hidden="true">
            {active ? (order.direction === "asc" ? "▲" : "▼") : "↕"}
          </span>
        </button>
      </th>
    );
  };

  const banTarget = (connection: PeerConnection): string | null => {
    try {
      return banCidrFor(connection.remoteAddress);
    } catch {
      return null;
    }
  };

  return (
    <div className="connections">
      <div className="connections__top">
        <CountryChart counts={counts} />
        <div className="connections__summary">
          <p className="num" data-live-count>
            {t("connections.liveCount", { count: all.filter((connection) => !connection.closedAt).length })}
          </p>
          <label className="toggle">
            <input
              type="checkbox"
              checked={showClosed}
              onChange={(event) => setShowClosed(event.target.checked)}
            />
            {t("connections.showClosed")}
          </label>
          <label className="toggle protocol-filter">
            {t("connections.protocolFilter")}
            <select
              value={protocol}
              data-protocol-filter
              onChange={(event) => {
                setProtocol(parseProtocolFilter(event.target.value));
                setPage(0);
              }}
            >
              {PROTOCOL_FILTERS.map((value) => (
                <option key={value} value={value}>
                  {t(`connections.protocol.${value}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>

      <ErrorNotice message={live.loadError} text="connections.loadFailed" />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}

      <div className="table-wrap">
        <table className="peers">
          <caption className="visually-hidden">{t("connections.caption")}</caption>
          <thead>
            <tr>
              {plainColumns.map(([label, className]) => (
                <th key={label} scope="col" className={className}>
                  {t(label)}
                </th>
              ))}
              {sortHeader("opened", "connections.opened", "col-time")}
              {sortHeader("bytes", "connections.bytes", "col-bytes")}
              {sortHeader("rate", "connections.rate", "col-rate")}
              <th scope="col" className="col-action">
                <span className="visually-hidden">{t("connections.actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {paged.rows.map((connection) => {
              const country = connection.geo?.country ?? null;
              const cidr = banTarget(connection);
              return (
                <tr
                  key={connection.id}
                  data-connection-id={connection.id}
                  data-remote={connection.remoteAddress}
                  data-country={country ?? ""}
                  className={connection.closedAt ? "peers__row--closed" : undefined}
                >
                  <td className="col-protocol" data-label={t("connections.protocol")}>
                    <span
                      className={`protocol protocol--${connection.protocol.toLowerCase()}`}
                      data-protocol={connection.protocol}
                    >
                      {connection.protocol}
                    </span>
                  </td>
                  <td className="col-country" data-label={t("connections.country")}>
                    {country ? (
                      <>
                        <span className="flag" aria-hidden="true">
                          {flagOf(country)}
                        </span>{" "}
                        <span data-country-name>{countryName(country, locale)}</span>
                      </>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td className="col-city" data-label={t("connections.city")}>
                    {connection.geo?.city ?? "—"}
                  </td>
                  <td className="col-asn num" data-label={t("connections.asn")}>
                    {connection.geo?.asn ? `AS${connection.geo.asn}` : "—"}
                  </td>
                  <td className="col-addr" data-label={t("connections.peer")}>
                    <code title={connection.remoteAddress}>{connection.remoteAddress}</code>
                  </td>
                  <td className="col-addr col-proxy" data-label={t("connections.proxy")}>
                    <code title={connection.proxyAddress ?? undefined}>{connection.proxyAddress ?? "—"}</code>
                  </td>
                  <td className="col-time num" data-label={t("connections.opened")}>
                    <time dateTime={connection.openedAt}>
                      {openedLabel(connection.openedAt, locale, now)}
                    </time>
                  </td>
                  <td className="col-bytes num" data-label={t("connections.bytes")}>
                    <span className="bytes">
                      <span title={t("connections.in")}>↓ {formatBytes(connection.bytesIn)}</span>
                      <span title={t("connections.out")}>↑ {formatBytes(connection.bytesOut)}</span>
                    </span>
                  </td>
                  <td className="col-rate num" data-label={t("connections.rate")}>
                    {connection.closedAt
                      ? t("connections.closed")
                      : formatRate(rates.get(connection.id) ?? 0)}
                  </td>
                  <td className="col-action">
                    {!connection.closedAt && cidr && (
                      <button
                        type="button"
                        className="button button--small button--danger-ghost"
                        onClick={() => setBanning(cidr)}
                        aria-label={t("connections.banPeer", { address: connection.remoteAddress })}
                      >
                        {t("connections.ban")}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {!live.loading && paged.rows.length === 0 && <p className="chart-empty">{t("connections.empty")}</p>}
      </div>

      <nav className="pager" aria-label={t("connections.pages")}>
        <button
          type="button"
          className="button button--small"
          onClick={() => setPage(paged.page - 1)}
          disabled={paged.page === 0}
        >
          {t("connections.previous")}
        </button>
        <span className="num">{t("connections.pageOf", { page: paged.page + 1, pages: paged.pages })}</span>
        <button
          type="button"
          className="button button--small"
          onClick={() => setPage(paged.page + 1)}
          disabled={paged.page >= paged.pages - 1}
        >
          {t("connections.next")}
        </button>
      </nav>

      {live.attribution && (
        <p className="attribution" data-geo-attribution>
          {live.attribution}
        </p>
      )}

      {banning && (
        <BanDialog
          client={client}
          cidr={banning}
          onClose={(banned) => {
            if (banned) setNotice(t("connections.banned", { cidr: banning }));
            setBanning(null);
          }}
        />
      )}
    </div>
  );
}
