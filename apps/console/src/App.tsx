import { useEffect, useMemo, useReducer, useState } from "react";
import { Provider } from "urql";
import { adoptFragmentToken } from "./auth/fragmentToken.js";
import { TokenPrompt } from "./auth/TokenPrompt.js";
import { ConnectionBadge } from "./connection/ConnectionBadge.js";
import { initialConnectionState, nextConnectionState } from "./connection/connectionState.js";
import { type ConsoleClient, createConsoleClient, endpointsFor } from "./graphql/client.js";
import { I18nProvider } from "./i18n/I18nContext.js";
import { LanguageSwitch } from "./i18n/LanguageSwitch.js";
import { chooseLocale, LOCALE_STORAGE_KEY, type Locale } from "./i18n/locale.js";
import { translatorFor } from "./i18n/translate.js";
import { storage, TOKEN_STORAGE_KEY } from "./settings/storage.js";
import { NavBar } from "./shell/NavBar.js";
import { Pages } from "./shell/Pages.js";
import { useHashRoute } from "./shell/useHashRoute.js";
import { useLanding } from "./shell/useLanding.js";
import "./shell/shell.css";

type TokenState = "ok" | "missing" | "rejected";

function initialLocale(): Locale {
  const languages = navigator.languages?.length ? navigator.languages : [navigator.language];
  return chooseLocale(storage.get(LOCALE_STORAGE_KEY), languages);
}

/**
 * The console: header with navigation, connection state and language, then the token prompt or the
 * page the address names (the wizard or the dashboard on a first visit, by whether a tunnel exists).
 */
export function App() {
  const [locale, setLocale] = useState<Locale>(initialLocale);
  // A `#token=` in the address (the URL the daemon printed) wins over a remembered one, and leaves it.
  const [token, setToken] = useState<string | null>(
    () => adoptFragmentToken() ?? storage.get(TOKEN_STORAGE_KEY),
  );
  const [tokenState, setTokenState] = useState<TokenState>("ok");
  const [connection, onConnectionEvent] = useReducer(nextConnectionState, initialConnectionState);
  const [reconnects, setReconnects] = useState(0);
  const [bundle, setBundle] = useState<ConsoleClient | null>(null);
  const i18n = useMemo(() => ({ locale, t: translatorFor(locale) }), [locale]);
  const location = useHashRoute();

  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = `${i18n.t("app.title")} · ${i18n.t("app.subtitle")}`;
  }, [locale, i18n]);

  // A new client per locale and token: the headers and the WebSocket's connectionParams carry both.
  useEffect(() => {
    const created = createConsoleClient({
      endpoints: endpointsFor(window.location.href),
      locale,
      token,
      onUnauthorized: () => setTokenState(token ? "rejected" : "missing"),
      onConnectionEvent,
      onReconnected: () => setReconnects((count) => count + 1),
    });
    setBundle(created);
    return () => created.dispose();
  }, [locale, token]);

  const chooseLanguage = (next: Locale) => {
    storage.set(LOCALE_STORAGE_KEY, next);
    setLocale(next);
  };

  const saveToken = (value: string) => {
    storage.set(TOKEN_STORAGE_KEY, value);
    setTokenState("ok");
    setToken(value);
  };

  return (
    <I18nProvider value={i18n}>
      <header className="header">
        <div className="header__inner">
          <div className="brand">
            <span className="brand__logo" aria-hidden="true" />
            <span className="brand__name">{i18n.t("app.title")}</span>
            <span className="brand__sub">{i18n.t("app.subtitle")}</span>
          </div>
          <div className="header__side">
            <ConnectionBadge phase={connection.phase} />
            <LanguageSwitch onChange={chooseLanguage} />
          </div>
        </div>
        <div className="header__nav">
          <NavBar current={location.route} />
        </div>
      </header>
      <main className="main">
        {connection.phase !== "live" && connection.phase !== "connecting" && tokenState === "ok" && (
          <p className="notice notice--stale" role="status">
            {i18n.t("connection.staleHint")}
          </p>
        )}
        {tokenState !== "ok" ? (
          <TokenPrompt rejected={tokenState === "rejected"} onSubmit={saveToken} />
        ) : (
          bundle && (
            <Provider value={bundle.client}>
              <Routed location={location} reloadKey={reconnects} />
            </Provider>
          )
        )}
      </main>
    </I18nProvider>
  );
}

/** Inside the urql Provider: picks the landing page when needed and renders the current one. */
function Routed({ location, reloadKey }: { location: ReturnType<typeof useHashRoute>; reloadKey: number }) {
  useLanding(location.route, location.navigate);
  return <Pages route={location.route} subpath={location.subpath} reloadKey={reloadKey} />;
}
