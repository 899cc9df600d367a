import { ErrorNotice } from "../common/ErrorNotice.js";
import type { MessageKey } from "../i18n/en.js";
import { useI18n } from "../i18n/I18nContext.js";
import { errorKindKey, nextPushAt } from "./downloaderFacts.js";
import { describeTime } from "./relativeTime.js";
import type { TunnelDownloader } from "./types.js";

interface DownloaderPanelProps {
  tunnelId: string;
  downloader: TunnelDownloader;
  /** Pushing needs a public port: the daemon refuses it before the tunnel is open. */
  open: boolean;
  now: number;
  onPush(): void;
  pushing: boolean;
  pushError: string | undefined;
}

const pushStates = ["IDLE", "PUSHING", "VERIFIED", "RETRYING", "FAILED"] as const;

/** The words for a port-push state; a state this console does not know reads as "other". */
function pushStateLabel(state: string): MessageKey {
  return (pushStates as readonly string[]).includes(state)
    ? (`dashboard.push.${state as (typeof pushStates)[number]}` as const)
    : "dashboard.push.OTHER";
}

/** The tunnel's downloader: whether it took the public port, why not, when the daemon tries again. */
export function DownloaderPanel({
  tunnelId,
  downloader,
  open,
  now,
  onPush,
  pushing,
  pushError,
}: DownloaderPanelProps) {
  const { t } = useI18n();
  const titleId = `tunnel-${tunnelId}-downloader`;
  const kindKey = errorKindKey(downloader.errorKind);
  const retryAt = nextPushAt(downloader);
  // Rows a daemon without the retry details cannot fill are left out rather than shown empty.
  const detailed = downloader.requestedPort !== undefined;

  return (
    <section
      className="tunnel__part"
      aria-labelledby={titleId}
      data-downloader
      data-push-state={downloader.state}
      data-error-kind={downloader.errorKind ?? undefined}
      data-last-push={downloader.lastPushAt ?? undefined}
    >
      <h4 className="tunnel__part-title" id={titleId}>
        {t("dashboard.downloader")}
        <span className="tunnel__part-note">
          {downloader.kind} · {downloader.url}
        </span>
      </h4>
      <dl className="tunnel__facts">
        <div>
          <dt>{t("dashboard.downloader.push")}</dt>
          <dd>
            {downloader.state === "VERIFIED" && downloader.verifiedPort !== null
              ? t("dashboard.verifiedPort", { port: downloader.verifiedPort })
              : t(pushStateLabel(downloader.state))}
          </dd>
        </div>
        {detailed && (
          <div>
            <dt>{t("dashboard.downloader.told")}</dt>
            <dd className="num">{downloader.requestedPort ?? "—"}</dd>
          </div>
        )}
        <div>
          <dt>{t("dashboard.downloader.lastPush")}</dt>
          <dd className="num">{describeTime(t, downloader.lastPushAt, now)}</dd>
        </div>
        {detailed && (
          <div>
            <dt>{t("dashboard.downloader.nextTry")}</dt>
            <dd className="num" data-next-try>
              {retryAt === null
                ? "—"
                : t("dashboard.downloader.attempt", {
                    when: describeTime(t, retryAt, now),
                    attempt: (downloader.attempts ?? 0) + 1,
                  })}
            </dd>
          </div>
        )}
      </dl>

      {downloader.error && (
        <p className="tunnel__problem" role="status" data-downloader-error>
          {/* The space keeps the two apart for a screen reader; a flex column drops it on screen. */}
          {kindKey && <strong className="tunnel__problem-kind">{t(kindKey)}</strong>}{" "}
          <span>{downloader.error}</span>
        </p>
      )}

      <div className="tunnel__part-actions">
        <button
          type="button"
          className="button button--small button--ghost"
          onClick={onPush}
          disabled={pushing || !open}
          aria-busy={pushing}
          aria-label={t("dashboard.pushAgainFor", { tunnel: tunnelId })}
        >
          {pushing ? t("dashboard.pushing") : t("dashboard.pushAgain")}
        </button>
      </div>
      <ErrorNotice message={pushError} text="dashboard.pushFailed" />
    </section>
  );
}
