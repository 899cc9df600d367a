import { useI18n } from "../i18n/I18nContext.js";
import { hookLines } from "./hookOutcomes.js";
import { describeTime } from "./relativeTime.js";
import type { TunnelHooks } from "./types.js";

/** The last run of the tunnel's hooks: when, the address they were told, and how each one went. */
export function HooksPanel({ tunnelId, hooks, now }: { tunnelId: string; hooks: TunnelHooks; now: number }) {
  const { t } = useI18n();
  const titleId = `tunnel-${tunnelId}-hooks`;
  return (
    <section className="tunnel__part" aria-labelledby={titleId} data-hooks={hooks.ok ? "ok" : "failed"}>
      <h4 className="tunnel__part-title" id={titleId}>
        {t("dashboard.hooks")}
      </h4>
      <dl className="tunnel__facts">
        <div>
          <dt>{t("dashboard.hooks.lastRun")}</dt>
          <dd className="num">{describeTime(t, hooks.lastRunAt, now)}</dd>
        </div>
        <div>
          <dt>{t("dashboard.hooks.told")}</dt>
          <dd>
            <code>
              {hooks.publicAddress.ip}:<wbr />
              {hooks.publicAddress.port}
            </code>
          </dd>
        </div>
        {hookLines(hooks).map(({ hook, outcome }) => (
          <div key={hook} className="tunnel__fact--wide" data-hook={hook} data-ok={outcome.ok}>
            <dt>{t(`dashboard.hooks.${hook}`)}</dt>
            <dd className={outcome.ok ? "tunnel__ok" : "tunnel__bad"}>
              {outcome.ok
                ? t("dashboard.hooks.ok")
                : outcome.error
                  ? t("dashboard.hooks.failed", { error: outcome.error })
                  : t("dashboard.hooks.failedNoReason")}
              {!outcome.ok && outcome.output && <pre className="tunnel__output">{outcome.output}</pre>}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
