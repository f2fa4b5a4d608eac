// The console's frame: the header with the views and the language, the token prompt when the
// server asks for one, and the view the path names.

import { useState } from "preact/hooks";
import { setToken, tokenNeeded } from "./api";
import { language, LANGUAGES, setLanguage, t, type Language } from "./i18n";
import { location, navigate } from "./route";
import type { MessageKey } from "./locales/en";
import { Alerts } from "./views/alerts/Alerts";
import { Anomalies } from "./views/anomalies/Anomalies";
import { Chain } from "./views/chain/Chain";
import { Discover } from "./views/discover/Discover";
import { Overview } from "./views/overview/Overview";
import { Patterns } from "./views/patterns/Patterns";
import { Settings } from "./views/settings/Settings";

// The views in the order the header lists them; the first segment of the path picks one, and
// `/` opens Discover (VIEWS[1]), what most visits come for.
const VIEWS: { path: string; label: MessageKey; view: () => preact.JSX.Element }[] = [
  { path: "/overview", label: "nav.overview", view: Overview },
  { path: "/discover", label: "nav.discover", view: Discover },
  { path: "/patterns", label: "nav.patterns", view: Patterns },
  { path: "/anomalies", label: "nav.anomalies", view: Anomalies },
  { path: "/chain", label: "nav.chain", view: Chain },
  { path: "/alerts", label: "nav.alerts", view: Alerts },
  { path: "/settings", label: "nav.settings", view: Settings },
];

function viewOf(pathname: string) {
  const first = `/${pathname.split("/")[1] ?? ""}`;
  return VIEWS.find((v) => v.path === first) ?? VIEWS[1];
}

function TokenPrompt() {
  const [value, setValue] = useState("");
  return (
    <div class="drawer-backdrop">
      <form class="token-prompt" data-testid="token-prompt" onSubmit={(e) => {
        e.preventDefault();
        setToken(value.trim());
        window.location.reload();
      }}>
        <h2>{t("auth.title")}</h2>
        <p>{t("auth.explain")}</p>
        <input type="password" value={value} onInput={(e) => setValue(e.currentTarget.value)} autoFocus
               aria-label={t("auth.token")} placeholder={t("auth.token")} />
        <button class="primary" type="submit">{t("auth.submit")}</button>
      </form>
    </div>
  );
}

export function App() {
  const current = viewOf(location.value.pathname);
  const View = current.view;
  void language.value; // every label follows the language
  return (
    <div class="app">
      <header class="top">
        <a class="brand" href="/discover" onClick={(e) => { e.preventDefault(); navigate("/discover"); }}>Venus</a>
        <nav>
          {VIEWS.map((v) => (
            <a key={v.path} href={v.path} class={v === current ? "current" : ""}
               onClick={(e) => { e.preventDefault(); navigate(v.path); }}>{t(v.label)}</a>
          ))}
        </nav>
        <span class="spacer" />
        <span class="muted utc" title={t("common.utcExplain")}>UTC</span>
        <select data-testid="language" aria-label={t("common.language")} value={language.value}
                onChange={(e) => setLanguage(e.currentTarget.value as Language)}>
          {Object.entries(LANGUAGES).map(([code, l]) => <option key={code} value={code}>{l.name}</option>)}
        </select>
      </header>
      <View />
      {tokenNeeded.value && <TokenPrompt />}
    </div>
  );
}
