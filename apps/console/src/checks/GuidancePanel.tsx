import type { Guidance } from "../graphql/types.js";
import { useI18n } from "../i18n/I18nContext.js";

/**
 * What to do about a result. Open when the check needs attention (WARN, FAIL, ERROR), so the fix is
 * on screen without a click; folded otherwise.
 */
export function GuidancePanel({ guidance, open }: { guidance: Guidance; open: boolean }) {
  const body = <GuidanceBody guidance={guidance} />;
  if (open) {
    return (
      <section className="guidance" aria-label={guidance.title}>
        <h3 className="guidance__title">{guidance.title}</h3>
        {body}
      </section>
    );
  }
  return (
    <details className="guidance guidance--folded">
      <summary className="guidance__title">{guidance.title}</summary>
      {body}
    </details>
  );
}

function GuidanceBody({ guidance }: { guidance: Guidance }) {
  const { t } = useI18n();
  return (
    <>
      {guidance.steps.length > 0 && (
        <ol className="guidance__steps">
          {guidance.steps.map((step, index) => (
            // Steps are plain strings that may repeat; their position is their identity.
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            <li key={index}>{step}</li>
          ))}
        </ol>
      )}
      {guidance.docs && (
        <a className="guidance__docs" href={guidance.docs} target="_blank" rel="noreferrer noopener">
          {t("guidance.docs")} ↗
        </a>
      )}
    </>
  );
}
