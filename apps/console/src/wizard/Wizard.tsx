import { useI18n } from "../i18n/I18nContext.js";

/** The troubleshooting wizard: the user guide's steps, one at a time. */
export function Wizard(_props: { stepId: string | undefined; reloadKey: number }) {
  const { t } = useI18n();
  return (
    <section className="wizard" aria-labelledby="wizard-title">
      <h1 id="wizard-title" className="page-title">
        {t("nav.wizard")}
      </h1>
    </section>
  );
}
