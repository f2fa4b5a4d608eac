// The console's frame: the header with the views, the region (after a Keystone login) and the
// language, the sign-in prompt when the server asks for a token, and the view the path names.

import { useState } from "preact/hooks";
import { type ApiError, asApiError, keystoneLogin, regions, setToken, tokenNeeded } from "./api";
import { language, LANGUAGES, setLanguage, t, type Language } from "./i18n";
import { location, navigate } from "./route";
import { useApi } from "./useApi";
import type { MessageKey } from "./locales/en";
import { Alerts } from "./views/alerts/Alerts";
import { Anomalies } from "./views/anomalies/Anomalies";
import { Chain } from "./views/chain/Chain";
import { Discover } from "./views/discover/Discover";
import { Overview } from "./views/overview/Overview";
import { Patterns } from "./views/patterns/Patterns";
import { Reports } from "./views/reports/Reports";
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
  { path: "/reports", label: "nav.reports", view: Reports },
  { path: "/settings", label: "nav.settings", view: Settings },
];

function viewOf(pathname: string) {
  const first = `/${pathname.split("/")[1] ?? ""}`;
  return VIEWS.find((v) => v.path === first) ?? VIEWS[1];
}

function TokenPrompt() {
  const strategy = useApi<{ strategy: string }>("/api/v1/auth").data?.strategy;
  const [useToken, setUseToken] = useState(false);
  return (
    <div class="drawer-backdrop">
      {strategy === "keystone" && !useToken
        ? <KeystoneForm onToken={() => setUseToken(true)} />
        : <TokenForm onKeystone={strategy === "keystone" ? () => setUseToken(false) : undefined} />}
    </div>
  );
}

function TokenForm({ onKeystone }: { onKeystone?: () => void }) {
  const [value, setValue] = useState("");
  return (
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
      {onKeystone && <button type="button" class="link" onClick={onKeystone}>{t("auth.useKeystone")}</button>}
    </form>
  );
}

// Keystone's user, password and project, as Horizon asks them; the server logs in and answers the
// token and the catalog's Venus endpoints (the region menu of the header).
const KEYSTONE_FIELDS = [
  { name: "username", label: "auth.username", type: "text", initial: "" },
  { name: "password", label: "auth.password", type: "password", initial: "" },
  { name: "project", label: "auth.project", type: "text", initial: "" },
  { name: "user_domain", label: "auth.domain", type: "text", initial: "Default" },
] as const;

function KeystoneForm({ onToken }: { onToken: () => void }) {
  const [values, setValues] = useState<Record<string, string>>(
    Object.fromEntries(KEYSTONE_FIELDS.map((f) => [f.name, f.initial])));
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form class="token-prompt" data-testid="keystone-login" onSubmit={(e) => {
      e.preventDefault();
      setBusy(true);
      const domain = values.user_domain.trim() || "Default";
      keystoneLogin({ username: values.username.trim(), password: values.password, project: values.project.trim(),
                      user_domain: domain, project_domain: domain })
        .then(() => window.location.reload())
        .catch((err) => { setError(asApiError(err)); setBusy(false); });
    }}>
      <h2>{t("auth.title")}</h2>
      <p>{t("auth.keystoneExplain")}</p>
      {KEYSTONE_FIELDS.map((f, i) => {
        const props = {
          name: f.name, value: values[f.name], autoFocus: i === 0, "aria-label": t(f.label), placeholder: t(f.label),
          required: true,
          onInput: (e: preact.TargetedEvent<HTMLInputElement>) => {
            const v = e.currentTarget.value;
            setValues((old) => ({ ...old, [f.name]: v }));
          },
        };
        return f.type === "password" ? <input key={f.name} type="password" {...props} />
          : <input key={f.name} type="text" {...props} />;
      })}
      {error && <p class="error" role="alert">{error.message}</p>}
      <button class="primary" type="submit" disabled={busy}>{t("auth.submit")}</button>
      <button type="button" class="link" onClick={onToken}>{t("auth.useToken")}</button>
    </form>
  );
}

/** The Venus of each region the catalog lists, when there are several: a switch to another. */
function RegionMenu() {
  const known = regions();
  if (known.length < 2) return null;
  const here = known.find((r) => new URL(r.url).origin === window.location.origin);
  return (
    <select data-testid="region" aria-label={t("auth.region")} title={t("auth.region")} value={here?.url ?? ""}
            onChange={(e) => { window.location.href = `${e.currentTarget.value}/`; }}>
      {!here && <option value="">—</option>}
      {known.map((r) => <option key={r.url} value={r.url}>{r.region || r.url}</option>)}
    </select>
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
        <RegionMenu />
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
