import { type FormEvent, useEffect, useId, useState } from "react";
import { useClient } from "urql";
import { useI18n } from "../i18n/I18nContext.js";
import { DISCOVERED_DOWNLOADERS_QUERY } from "./documents.js";
import {
  DOWNLOADER_KINDS,
  DOWNLOADER_NAMES,
  type DownloaderForm,
  formFor,
  formProblems,
  isDownloaderKind,
  takesApiKey,
} from "./downloaderChoice.js";
import type { DiscoveredDownloader } from "./types.js";

type Discovery =
  | { phase: "loading" }
  | { phase: "done"; found: DiscoveredDownloader[] }
  | { phase: "failed"; message: string };

function nameOf(kind: string): string {
  return isDownloaderKind(kind) ? DOWNLOADER_NAMES[kind] : kind;
}

/**
 * Offers the downloaders the daemon found on this host, or one entered by hand, or none; asks for its
 * credentials and for where peers should go. The choice stays in this page's memory until the
 * enable step sends it to the daemon: the password is never written to storage.
 */
export function DownloaderStep({
  chosen,
  onChoose,
}: {
  chosen: DownloaderForm | null;
  onChoose(form: DownloaderForm): void;
}) {
  const { t } = useI18n();
  const client = useClient();
  const ids = useId();
  const [discovery, setDiscovery] = useState<Discovery>({ phase: "loading" });
  const [form, setForm] = useState<DownloaderForm>(() => chosen ?? formFor(undefined));
  const [picked, setPicked] = useState<string | null>(chosen ? "manual" : null);
  const [submitted, setSubmitted] = useState(false);

  useEffect(() => {
    let active = true;
    void client
      .query(DISCOVERED_DOWNLOADERS_QUERY, {})
      .toPromise()
      .then((result) => {
        if (!active) return;
        if (result.error || !result.data) {
          setDiscovery({ phase: "failed", message: result.error?.message ?? "empty answer" });
          return;
        }
        const found = result.data.discoveredDownloaders;
        setDiscovery({ phase: "done", found });
        // The first one found is the likely answer: offer it preselected, credentials still empty.
        if (!chosen && found[0]) {
          setPicked(`found:0`);
          setForm(formFor(found[0]));
        }
      });
    return () => {
      active = false;
    };
  }, [client, chosen]);

  const problems = formProblems(form);
  const pick = (key: string, next: DownloaderForm) => {
    setPicked(key);
    setForm({ ...next, password: "", username: "", apiKey: "" });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(problems).length === 0) onChoose(form);
  };
  const field = (name: keyof DownloaderForm) => `${ids}-${name}`;
  const found = discovery.phase === "done" ? discovery.found : [];

  return (
    <form className="downloader-form" onSubmit={submit} noValidate>
      <fieldset className="choices">
        <legend>{t("wizard.downloader.which")}</legend>
        {discovery.phase === "loading" && <p className="notice">{t("wizard.downloader.looking")}</p>}
        {discovery.phase === "failed" && (
          <p className="notice notice--bad" role="alert">
            {t("wizard.downloader.lookFailed", { message: discovery.message })}
          </p>
        )}
        {discovery.phase === "done" && found.length === 0 && (
          <p className="notice">{t("wizard.downloader.noneFound")}</p>
        )}
        {found.map((item, index) => (
          <label key={`${item.kind}-${item.url}`} className="choice" data-discovered={item.kind}>
            <input
              type="radio"
              name={`${ids}-pick`}
              checked={picked === `found:${index}`}
              onChange={() => pick(`found:${index}`, formFor(item))}
            />
            <span>
              {t("wizard.downloader.found", {
                name: item.version ? `${nameOf(item.kind)} ${item.version}` : nameOf(item.kind),
                url: item.url,
              })}
              {item.needsCredentials && (
                <span className="choice__note"> · {t("wizard.downloader.needsLogin")}</span>
              )}
              {item.alreadyConfigured && (
                <span className="choice__note"> · {t("wizard.downloader.alreadyUsed")}</span>
              )}
            </span>
          </label>
        ))}
        <label className="choice">
          <input
            type="radio"
            name={`${ids}-pick`}
            checked={picked === "manual"}
            onChange={() =>
              pick("manual", { ...form, kind: form.kind === "none" ? "qbittorrent" : form.kind })
            }
          />
          <span>{t("wizard.downloader.manual")}</span>
        </label>
        <label className="choice">
          <input
            type="radio"
            name={`${ids}-pick`}
            checked={picked === "none"}
            onChange={() => pick("none", { ...form, kind: "none" })}
          />
          <span>{t("wizard.downloader.none")}</span>
        </label>
      </fieldset>

      {picked !== null && (
        <div className="fields">
          {form.kind !== "none" && (
            <>
              {picked === "manual" && (
                <label className="field" htmlFor={field("kind")}>
                  <span>{t("wizard.downloader.kind")}</span>
                  <select
                    id={field("kind")}
                    value={form.kind}
                    onChange={(event) =>
                      isDownloaderKind(event.target.value) && setForm({ ...form, kind: event.target.value })
                    }
                  >
                    {DOWNLOADER_KINDS.map((kind) => (
                      <option key={kind} value={kind}>
                        {DOWNLOADER_NAMES[kind]}
                      </option>
                    ))}
                  </select>
                </label>
              )}
              <label className="field" htmlFor={field("url")}>
                <span>{t("wizard.downloader.url")}</span>
                <input
                  id={field("url")}
                  type="url"
                  inputMode="url"
                  placeholder="http://127.0.0.1:8080"
                  value={form.url}
                  aria-invalid={submitted && problems.url ? true : undefined}
                  aria-describedby={submitted && problems.url ? `${field("url")}-error` : undefined}
                  onChange={(event) => setForm({ ...form, url: event.target.value })}
                />
                {submitted && problems.url && (
                  <span id={`${field("url")}-error`} className="field__error">
                    {t("wizard.downloader.badUrl")}
                  </span>
                )}
              </label>
              <label className="field" htmlFor={field("username")}>
                <span>{t("wizard.downloader.username")}</span>
                <input
                  id={field("username")}
                  autoComplete="off"
                  value={form.username}
                  onChange={(event) => setForm({ ...form, username: event.target.value })}
                />
              </label>
              <label className="field" htmlFor={field("password")}>
                <span>{t("wizard.downloader.password")}</span>
                <input
                  id={field("password")}
                  type="password"
                  autoComplete="off"
                  value={form.password}
                  onChange={(event) => setForm({ ...form, password: event.target.value })}
                />
              </label>
              {takesApiKey(form.kind) && (
                // The help sits beside the label, not in it: inside, it would become part of the field's
                // accessible name, and its words ("user name and password") would name it too.
                <div className="field">
                  <label htmlFor={field("apiKey")}>{t("wizard.downloader.apiKey")}</label>
                  <input
                    id={field("apiKey")}
                    type="password"
                    autoComplete="off"
                    spellCheck={false}
                    value={form.apiKey}
                    aria-describedby={`${field("apiKey")}-help`}
                    onChange={(event) => setForm({ ...form, apiKey: event.target.value })}
                  />
                  <span id={`${field("apiKey")}-help`} className="field__help">
                    {t("wizard.downloader.apiKeyHelp")}
                  </span>
                </div>
              )}
            </>
          )}
          <label className="field" htmlFor={field("target")}>
            <span>{t("wizard.downloader.target")}</span>
            <input
              id={field("target")}
              placeholder="127.0.0.1:6881"
              value={form.target}
              aria-invalid={submitted && problems.target ? true : undefined}
              aria-describedby={`${field("target")}-help`}
              onChange={(event) => setForm({ ...form, target: event.target.value })}
            />
            <span
              id={`${field("target")}-help`}
              className={submitted && problems.target ? "field__error" : "field__help"}
            >
              {submitted && problems.target
                ? t("wizard.downloader.badTarget")
                : t("wizard.downloader.targetHelp")}
            </span>
          </label>
          <div className="step-actions">
            <button type="submit" className="button button--primary">
              {t("wizard.downloader.use")}
            </button>
          </div>
        </div>
      )}
    </form>
  );
}
