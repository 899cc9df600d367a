import { useEffect, useRef, useState } from "react";
import type { Remedy, RemedyResult } from "../graphql/types.js";
import { useI18n } from "../i18n/I18nContext.js";

interface RemedyDialogProps {
  remedy: Remedy;
  apply(): Promise<RemedyResult>;
  onClose(): void;
}

type Phase = { kind: "confirm" } | { kind: "applying" } | { kind: "done"; ok: boolean; message: string };

/**
 * Asks before changing the user's system: shows what the remedy does and the equivalent commands,
 * and calls the daemon only on "Apply". The outcome stays on screen until the user closes it.
 */
export function RemedyDialog({ remedy, apply, onClose }: RemedyDialogProps) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const [phase, setPhase] = useState<Phase>({ kind: "confirm" });

  // Opened as a modal so the page behind cannot be used meanwhile. No close() on cleanup: unmounting
  // removes the element anyway, and a close event from a cleanup would dismiss the dialog at once
  // under StrictMode's mount-unmount-mount.
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  const onApply = async () => {
    setPhase({ kind: "applying" });
    try {
      const result = await apply();
      setPhase({ kind: "done", ok: result.ok, message: result.message });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      setPhase({ kind: "done", ok: false, message: t("remedy.failed", { message }) });
    }
  };

  return (
    <dialog ref={dialog} className="dialog" onClose={onClose} aria-labelledby={`remedy-${remedy.id}`}>
      <h2 id={`remedy-${remedy.id}`} className="dialog__title">
        {t("remedy.confirmTitle", { title: remedy.title })}
      </h2>
      <p className="dialog__text">{remedy.description}</p>
      {remedy.requiresRoot && <p className="dialog__note">{t("remedy.needsRoot")}</p>}
      {remedy.commands.length > 0 && (
        <>
          <p className="dialog__text">{t("remedy.commands")}</p>
          <pre className="dialog__commands">{remedy.commands.join("\n")}</pre>
        </>
      )}
      {phase.kind === "done" && (
        <p className={`dialog__outcome dialog__outcome--${phase.ok ? "ok" : "bad"}`} role="status">
          {phase.message}
        </p>
      )}
      <div className="dialog__actions">
        {phase.kind === "done" ? (
          <button type="button" className="button" onClick={onClose}>
            {t("remedy.close")}
          </button>
        ) : (
          <>
            <button type="button" className="button button--ghost" onClick={onClose}>
              {t("remedy.cancel")}
            </button>
            <button
              type="button"
              className="button button--primary"
              onClick={onApply}
              disabled={phase.kind === "applying"}
            >
              {phase.kind === "applying" ? t("remedy.applying") : t("remedy.apply")}
            </button>
          </>
        )}
      </div>
    </dialog>
  );
}
