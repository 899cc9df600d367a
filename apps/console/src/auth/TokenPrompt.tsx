import { type FormEvent, useId, useState } from "react";
import { useI18n } from "../i18n/I18nContext.js";

interface TokenPromptProps {
  /** The daemon turned away a token we sent, rather than asking for a first one. */
  rejected: boolean;
  onSubmit(token: string): void;
}

/** Shown when the daemon answers 401: asks for the API token from its config. */
export function TokenPrompt({ rejected, onSubmit }: TokenPromptProps) {
  const { t } = useI18n();
  const [value, setValue] = useState("");
  const inputId = useId();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const token = value.trim();
    if (token) onSubmit(token);
  };

  return (
    <form className="card token" onSubmit={submit}>
      <h2 className="token__title">{t("token.title")}</h2>
      <p className="token__text">{t("token.explain")}</p>
      {rejected && (
        <p className="notice notice--bad" role="alert">
          {t("token.rejected")}
        </p>
      )}
      <label className="token__label" htmlFor={inputId}>
        {t("token.label")}
      </label>
      <div className="token__row">
        <input
          id={inputId}
          className="token__input"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={value}
          onChange={(event) => setValue(event.target.value)}
        />
        <button type="submit" className="button button--primary" disabled={value.trim() === ""}>
          {t("token.save")}
        </button>
      </div>
    </form>
  );
}
