import { useClient } from "urql";
import { ErrorNotice } from "../common/ErrorNotice.js";
import { useI18n } from "../i18n/I18nContext.js";
import "../dashboard/dashboard.css";
import "../connections/connections.css";
import "./bans.css";
import { groupBans } from "./mergeBans.js";
import type { Ban } from "./types.js";
import { useBans } from "./useBans.js";

function when(iso: string, locale: string): string {
  return new Date(iso).toLocaleString(locale, {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  });
}

/** Banned networks: the console's own bans with "Unban", and the ban-list file's lines apart. */
export function BansPage({ reloadKey = 0 }: { reloadKey?: number }) {
  const { t, locale } = useI18n();
  const state = useBans(useClient(), reloadKey);
  const groups = groupBans(state.bans);

  const row = (ban: Ban, liftable: boolean) => (
    <tr key={`${ban.source}|${ban.cidr}`} data-ban={ban.cidr} data-source={ban.source}>
      <td data-label={t("bans.network")}>
        <code>{ban.cidr}</code>
      </td>
      <td data-label={t("bans.reason")}>{ban.reason ?? "—"}</td>
      <td className="num" data-label={t("bans.since")}>
        {when(ban.createdAt, locale)}
      </td>
      <td className="num" data-label={t("bans.until")}>
        {ban.expiresAt ? when(ban.expiresAt, locale) : liftable ? t("bans.forever") : t("bans.whileListed")}
      </td>
      <td className="col-action">
        {liftable && (
          <button
            type="button"
            className="button button--small"
            onClick={() => void state.unban(ban.cidr)}
            disabled={state.lifting.has(ban.cidr)}
            aria-label={t("bans.unbanNetwork", { cidr: ban.cidr })}
          >
            {t("bans.unban")}
          </button>
        )}
      </td>
    </tr>
  );

  const table = (list: readonly Ban[], liftable: boolean, caption: string) => (
    <div className="table-wrap">
      <table className="bans-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t("bans.network")}</th>
            <th scope="col">{t("bans.reason")}</th>
            <th scope="col">{t("bans.since")}</th>
            <th scope="col">{t("bans.until")}</th>
            <th scope="col" className="col-action">
              <span className="visually-hidden">{t("bans.actions")}</span>
            </th>
          </tr>
        </thead>
        <tbody>{list.map((ban) => row(ban, liftable))}</tbody>
      </table>
    </div>
  );

  return (
    <div className="bans">
      <ErrorNotice message={state.loadError} text="bans.loadFailed" />
      <ErrorNotice message={state.actionError} text="bans.unbanFailed" />
      <section aria-labelledby="bans-api" data-bans="api">
        <h2 id="bans-api" className="section-title">
          {t("bans.apiTitle")}
        </h2>
        {groups.api.length > 0
          ? table(groups.api, true, t("bans.apiTitle"))
          : !state.loading && <p className="chart-empty">{t("bans.none")}</p>}
      </section>
      <section aria-labelledby="bans-files" data-bans="files">
        <h2 id="bans-files" className="section-title">
          {t("bans.fileTitle")}
        </h2>
        {groups.files.length === 0 && !state.loading && <p className="chart-empty">{t("bans.noFile")}</p>}
        {groups.files.map((file) => (
          <div key={file.path} className="bans__file">
            <p className="bans__path">
              {t("bans.fromFile")} <code>{file.path}</code>
            </p>
            {table(file.bans, false, file.path)}
          </div>
        ))}
      </section>
      {state.bans.length < state.total && (
        <p className="bans__more" data-bans="more">
          {t("bans.shown", { shown: state.bans.length, total: state.total })}{" "}
          {state.hasMore && (
            <button
              type="button"
              className="button button--small"
              onClick={() => void state.more()}
              disabled={state.loadingMore}
            >
              {t("bans.more")}
            </button>
          )}
        </p>
      )}
    </div>
  );
}
