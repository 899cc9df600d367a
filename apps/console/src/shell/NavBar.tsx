import { hashFor, ROUTES, type Route } from "../common/routes.js";
import type { MessageKey } from "../i18n/en.js";
import { useI18n } from "../i18n/I18nContext.js";

const labels: Readonly<Record<Route, MessageKey>> = {
  wizard: "nav.wizard",
  dashboard: "nav.dashboard",
  connections: "nav.connections",
  bans: "nav.bans",
  checks: "nav.checks",
};

/**
 * The page links. Plain anchors: every browser and screen reader knows them, Tab reaches them, and
 * middle-click opens a page in a new tab. `aria-current` tells assistive technology where the user is.
 */
export function NavBar({ current }: { current: Route | undefined }) {
  const { t } = useI18n();
  return (
    <nav className="nav" aria-label={t("nav.label")}>
      <ul className="nav__list">
        {ROUTES.map((route) => (
          <li key={route}>
            <a
              className="nav__link"
              href={hashFor(route)}
              aria-current={route === current ? "page" : undefined}
              data-nav={route}
            >
              {t(labels[route])}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
