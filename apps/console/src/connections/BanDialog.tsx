import type { Client } from "@urql/core";
import { useEffect, useId, useRef, useState } from "react";
import { BAN_MUTATION } from "../bans/documents.js";
import type { MessageKey } from "../i18n/en.js";
import { useI18n } from "../i18n/I18nContext.js";
import { BAN_LIFETIMES } from "./banTarget.js";

interface BanDialogProps {
  client: Client;
  /** The network to ban, e.g. 88.77.66.10/32. */
  cidr: string;
  onClose(banned: boolean): void;
}

const lifetimeLabel = (seconds: number | null): MessageKey => {
  switch (seconds) {
    case 3600:
      return "connections.ttl.hour";
    case 86_400:
      return "connections.ttl.day";
    case 7 * 86_400:
      return "connections.ttl.week";
    case 30 * 86_400:
      return "connections.ttl.month";
    default:
      return "connections.ttl.forever";
  }
};

/**
 * Asks for a reason and a lifetime, then bans only after "Ban" is pressed. The daemon closes the
 * peer's live connections itself; the table learns of it from the CLOSED event.
 */
export function BanDialog({ client, cidr, onClose }: BanDialogProps) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const ids = useId();
  const [reason, setReason] = useState("");
  const [lifetime, setLifetime] = useState<number | null>(86_400);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  // Modal, so the table behind cannot be used meanwhile; see RemedyDialog for why no close() on cleanup.
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  const ban = async () => {
    setSending(true);
    const result = await client
      .mutation(BAN_MUTATION, { cidr, reason: reason.trim() || null, ttlSeconds: lifetime })
      .toPromise();
    setSending(false);
    if (result.error || !result.data) {
      setError(result.error?.message ?? "empty answer");
      return;
    }
    const notApplied = result.data.ban.notApplied ?? [];
    if (notApplied.length > 0) {
      // Stored, but a tunnel still lets the network in: say which and why instead of closing as if done.
      setNotice(
        t("connections.banNotApplied", {
          tunnels: notApplied.map((n) => n.tunnelId).join(", "),
          reasons: notApplied.map((n) => `${n.tunnelId}: ${n.error}`).join("; "),
        }),
      );
      return;
    }
    onClose(true);
  };

  return (
    <dialog ref={dialog} className="dialog" onClose={() => onClose(false)} aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`} className="dialog__title">
        {t("connections.banTitle", { cidr })}
      </h2>
      <p className="dialog__text">{t("connections.banExplain")}</p>
      <form
        className="ban-form"
        onSubmit={(event) => {
          event.preventDefault();
          void ban();
        }}
      >
        <label className="ban-form__field">
          <span>{t("connections.banReason")}</span>
          <input
            type="text"
            value={reason}
            maxLength={200}
            onChange={(event) => setReason(event.target.value)}
            placeholder={t("connections.banReasonHint")}
          />
        </label>
        <label className="ban-form__field">
          <span>{t("connections.banLifetime")}</span>
          <select
            value={lifetime === null ? "forever" : String(lifetime)}
            onChange={(event) =>
              setLifetime(event.target.value === "forever" ? null : Number(event.target.value))
            }
          >
            {BAN_LIFETIMES.map((seconds) => (
              <option key={seconds ?? "forever"} value={seconds === null ? "forever" : String(seconds)}>
                {t(lifetimeLabel(seconds))}
              </option>
            ))}
          </select>
        </label>
        {error && (
          <p className="dialog__outcome dialog__outcome--bad" role="alert">
            {t("connections.banFailed", { message: error })}
          </p>
        )}
        {notice && (
          <p className="dialog__outcome dialog__outcome--bad" role="alert" data-ban-not-applied>
            {notice}
          </p>
        )}
        <div className="dialog__actions">
          <button type="button" className="button button--ghost" onClick={() => onClose(false)}>
            {t("connections.cancel")}
          </button>
          <button type="submit" className="button button--danger" disabled={sending}>
            {sending ? t("connections.banning") : t("connections.banConfirm")}
          </button>
        </div>
      </form>
    </dialog>
  );
}
