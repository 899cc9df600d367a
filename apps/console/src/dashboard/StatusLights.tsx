import type { Check } from "../graphql/types.js";
import { useI18n } from "../i18n/I18nContext.js";
import { lightFor, wizardHref } from "./lights.js";

/** One light per check, each a link to the wizard step that explains it and runs it again. */
export function StatusLights({ checks }: { checks: readonly Check[] }) {
  const { t } = useI18n();
  return (
    <ul className="lights">
      {checks.map((check) => {
        const light = lightFor(check.status);
        const state = t(light.label);
        return (
          <li key={check.id} className="lights__item">
            <a
              className={`light light--${light.tone}`}
              href={wizardHref(check.id)}
              data-light={check.id}
              data-tone={light.tone}
              aria-label={t("dashboard.lightLink", { title: check.title, state })}
              title={check.summary ?? state}
            >
              <span className="light__dot" aria-hidden="true" />
              <span className="light__title">{check.title}</span>
              <span className="light__state">{state}</span>
            </a>
          </li>
        );
      })}
    </ul>
  );
}
