import { BansPage } from "../bans/index.js";
import { CheckList } from "../checks/CheckList.js";
import type { Route } from "../common/routes.js";
import { ConnectionsPage } from "../connections/index.js";
import { Dashboard } from "../dashboard/index.js";
import { useI18n } from "../i18n/I18nContext.js";
import { Wizard } from "../wizard/Wizard.js";

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
      return <Dashboard reloadKey={reloadKey} />;
    case "connections":
      return <ConnectionsPage reloadKey={reloadKey} />;
    case "bans":
      return <BansPage reloadKey={reloadKey} />;
    case "checks":
      return <CheckList reloadKey={reloadKey} />;
  }
}
