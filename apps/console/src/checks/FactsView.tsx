import { useI18n } from "../i18n/I18nContext.js";

/** True when there is something to show: not null and not an empty object or array. */
export function hasFacts(facts: unknown): boolean {
  if (facts === null || facts === undefined) return false;
  if (Array.isArray(facts)) return facts.length > 0;
  if (typeof facts === "object") return Object.keys(facts).length > 0;
  return true;
}

/** The evidence behind a verdict as indented JSON, folded by default. */
export function FactsView({ facts }: { facts: unknown }) {
  const { t } = useI18n();
  if (!hasFacts(facts)) return null;
  return (
    <details className="facts">
      <summary>{t("facts.show")}</summary>
      <pre className="facts__json">{JSON.stringify(facts, null, 2)}</pre>
    </details>
  );
}
