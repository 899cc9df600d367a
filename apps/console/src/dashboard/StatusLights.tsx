import type { Check } from "../graphql/types.js";
import { useI18n } from "../i18n/I18nContext.js";
import { checkHref, lightFor } from "./lights.js";

/** One light per check, each a link to where it is explained and run again (its wizard step or the checks page). */
export function StatusLights({ checks }: { checks: readonly Check[] }) {
  const { t } = useI18n();
  return (
    <ul className="lights">
      {checks.map((check) => {
        const light = lightFor(check.status);
        const state = t(light.label);
        const link = checkHref(check.id);
        return (
          <li key={check.id} className="lights__item">
            <a
              className={`light light--${light.tone}`}
              href={link.href}
              data-light={check.id}
              data-tone={light.tone}
              aria-label={t(link.inWizard ? "dashboard.lightLink" : "dashboard.lightLinkChecks", {
                title: check.title,
                state,
              })}
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
