import { useI18n } from "../i18n/I18nContext.js";
import "./ipv6.css";
import type { Ipv6Fact } from "./ipv6Facts.js";
import { describeMoment } from "./moment.js";

/** The IPv6 path's facts as label and finding, each marked by whether it lets peers in. */
export function Ipv6FactList({ facts, now }: { facts: readonly Ipv6Fact[]; now: number }) {
  const { t, locale } = useI18n();
  if (facts.length === 0) return null;
  return (
    <dl className="ipv6-facts">
      {facts.map((fact) => {
        const params = { ...fact.params };
        // Moments arrive as ISO dates; the reader shows them as a clock time with how far off they are.
        for (const name of ["until", "at"] as const) {
          const value = params[name];
          if (typeof value === "string") params[name] = describeMoment(t, locale, value, now);
        }
        if (fact.stateWord) params.state = t(fact.stateWord);
        return (
          <div
            key={fact.id}
            className={`ipv6-facts__row ipv6-facts__row--${fact.tone}`}
            data-ipv6-fact={fact.id}
          >
            <dt>{t(fact.label)}</dt>
            <dd data-tone={fact.tone}>{fact.text ? t(fact.text, params) : <code>{fact.literal}</code>}</dd>
          </div>
        );
      })}
    </dl>
  );
}
