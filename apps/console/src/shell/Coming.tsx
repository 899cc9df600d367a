import { useI18n } from "../i18n/I18nContext.js";

/** Stands in for a page that is not built yet, so the navigation can already point at it. */
export function Coming({ title }: { title: string }) {
  const { t } = useI18n();
  return (
    <section className="coming" aria-labelledby="coming-title">
      <h1 id="coming-title" className="page-title">
        {title}
      </h1>
      <p className="notice">{t("nav.coming")}</p>
    </section>
  );
}
