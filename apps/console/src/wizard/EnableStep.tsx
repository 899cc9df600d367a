import { useState } from "react";
import { ErrorNotice } from "../common/ErrorNotice.js";
import { hashFor } from "../common/routes.js";
import type { MessageKey } from "../i18n/en.js";
import { useI18n } from "../i18n/I18nContext.js";
import {
  DOWNLOADER_NAMES,
  type DownloaderForm,
  isDownloaderKind,
  tunnelInputFor,
} from "./downloaderChoice.js";
import type { DownloaderPushState, TunnelInput, WizardTunnel } from "./types.js";

/** The tunnel's state in words, so OPEN/FAILED are not left to the user to decode. */
export function TunnelLine({ tunnel }: { tunnel: WizardTunnel }) {
  const { t } = useI18n();
  const address = tunnel.publicAddress ? `${tunnel.publicAddress.ip}:${tunnel.publicAddress.port}` : null;
  return (
    <li
      className={`tunnel-line tunnel-line--${tunnel.state.toLowerCase()}`}
      data-tunnel={tunnel.id}
      data-state={tunnel.state}
    >
      <span className="tunnel-line__id">{tunnel.id}</span>
      <span className="tunnel-line__state">{tunnel.state}</span>
      {address && (
        <span className="tunnel-line__address">
          {t("wizard.enable.public")} <code data-public-address={address}>{address}</code>
        </span>
      )}
      <span className="tunnel-line__reason">{tunnel.reason}</span>
      {tunnel.downloader && <DownloaderLine status={tunnel.downloader} />}
    </li>
  );
}

const pushLabels: Readonly<Record<DownloaderPushState, MessageKey>> = {
  IDLE: "wizard.push.IDLE",
  PUSHING: "wizard.push.PUSHING",
  VERIFIED: "wizard.push.VERIFIED",
  RETRYING: "wizard.push.RETRYING",
  FAILED: "wizard.push.FAILED",
};

/** Whether the downloader took the public port: verified, still trying, or why not. */
function DownloaderLine({ status }: { status: NonNullable<WizardTunnel["downloader"]> }) {
  const { t } = useI18n();
  const name = isDownloaderKind(status.kind) ? DOWNLOADER_NAMES[status.kind] : status.kind;
  return (
    <span className="tunnel-line__downloader" data-push-state={status.state}>
      {t(pushLabels[status.state], { name, port: status.verifiedPort ?? "?" })}
      {status.error && ` — ${status.error}`}
    </span>
  );
}

/**
 * Creates the tunnel from the downloader step's choice through `saveTunnel`, then shows its state live
 * until it is OPEN with a public address. A refusal is shown with the daemon's words.
 */
export function EnableStep({
  choice,
  tunnels,
  save,
}: {
  choice: DownloaderForm | null;
  tunnels: readonly WizardTunnel[];
  save(input: TunnelInput): Promise<WizardTunnel>;
}) {
  const { t } = useI18n();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const enable = async () => {
    if (!choice) return;
    setSaving(true);
    setError(null);
    try {
      await save(tunnelInputFor(choice));
    } catch (problem) {
      setError(problem instanceof Error ? problem.message : String(problem));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="enable">
      {choice && (
        <p className="enable__choice">
          {choice.kind === "none"
            ? t("wizard.enable.summaryNone", { target: choice.target })
            : t("wizard.enable.summary", {
                name: DOWNLOADER_NAMES[choice.kind],
                url: choice.url,
                target: choice.target,
              })}
        </p>
      )}
      {!choice && tunnels.length === 0 && <p className="notice">{t("wizard.enable.chooseFirst")}</p>}
      <ErrorNotice message={error} text="wizard.enable.failed" />
      {tunnels.some((tunnel) => tunnel.downloader?.state === "FAILED") && (
        <p className="notice notice--bad">
          {t("wizard.enable.pushFailed")}{" "}
          <a href={hashFor("wizard", "downloader")}>{t("wizard.enable.fixDownloader")}</a>
        </p>
      )}
      {tunnels.length > 0 && (
        <ul className="tunnel-lines" aria-live="polite">
          {tunnels.map((tunnel) => (
            <TunnelLine key={tunnel.id} tunnel={tunnel} />
          ))}
        </ul>
      )}
      {choice && (
        <div className="step-actions">
          <button
            type="button"
            className="button button--primary"
            onClick={() => void enable()}
            disabled={saving}
          >
            {saving ? t("wizard.enable.saving") : t("wizard.enable.go")}
          </button>
        </div>
      )}
    </div>
  );
}
