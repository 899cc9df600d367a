import { CheckList } from "../checks/CheckList.js";
import { useI18n } from "../i18n/I18nContext.js";
import { Wizard } from "../wizard/Wizard.js";
import { Coming } from "./Coming.js";
import type { Route } from "./routes.js";

interface PagesProps {
  route: Route | undefined;
  subpath: string | undefined;
  /** Changes when the WebSocket came back after a drop: pages reload what they hold. */
  reloadKey: number;
}

/** The page the route names; nothing while the landing rule is still deciding. */
export function Pages({ route, subpath, reloadKey }: PagesProps) {
  const { t } = useI18n();
  switch (route) {
    case undefined:
      return <p className="notice">{t("nav.loading")}</p>;
    case "wizard":
      return <Wizard stepId={subpath} reloadKey={reloadKey} />;
    case "dashboard":
      return <Coming title={t("nav.dashboard")} />;
    case "connections":
      return <Coming title={t("nav.connections")} />;
    case "bans":
      return <Coming title={t("nav.bans")} />;
    case "checks":
      return <CheckList reloadKey={reloadKey} />;
  }
}
