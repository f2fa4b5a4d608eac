// Reports: the operations report of a time range against the one before it, for the lines a query
// matches: its headline figures here (the report's own JSON), the whole report as a self-contained
// HTML file or a PDF, in English or Chinese (docs/reports.md); below, the reports kept and the
// schedules that make them (Kept.tsx).

import { useMemo, useState } from "preact/hooks";
import { apiUrl, asApiError, download, type ApiError } from "../../api";
import { TimePicker } from "../../components/TimePicker";
import { formatNumber, t } from "../../i18n";
import { location, navigate, openDiscover, rangeFromUrl, rangeToUrl } from "../../route";
import { rangeParams } from "../../timerange";
import { useApi } from "../../useApi";
import { KeptReports, Schedules } from "./Kept";

type Figures = {
  start: string; end: string;
  volume: { total: number; previous: number; change: number | null };
  error_rate: { errors: number; previous_errors: number; rate: number; previous_rate: number | null };
  typical_errors: { id: string; title: string; count: number; previous: number }[];
  anomalies: { findings: unknown[] };
  alerts: unknown[];
  silent: { hosts: unknown[]; services: unknown[] };
};

const LANGUAGES = { en: "English", zh: "简体中文" } as const;
const ERRORS = "level:(ERROR OR CRITICAL)";

function change(now: number, before: number | null): string {
  if (!before) return "—";
  const relative = (now - before) / before;
  return `${relative > 0 ? "+" : ""}${(relative * 100).toFixed(0)} %`;
}

export function Reports() {
  const params = location.value.searchParams;
  const q = params.get("q") ?? "";
  const range = rangeFromUrl(location.value, { from: "now-1d", to: "now" });
  const [typed, setTyped] = useState(q);
  const [language, setLanguage] = useState<keyof typeof LANGUAGES>("en");
  const [failed, setFailed] = useState<ApiError | null>(null);
  const bounds = useMemo(() => rangeParams(range, new Date()), [range.from, range.to]);
  const figures = useApi<Figures>("/api/v1/report", { q, ...bounds, format: "json" });
  const go = (next: { q?: string; from?: string; to?: string }) =>
    navigate("/reports", { q, ...rangeToUrl(range), ...next });
  const save = (format: "pdf" | "html") => {
    setFailed(null);
    const stamp = (figures.data?.end ?? new Date().toISOString()).replace(/[-:]/g, "").slice(0, 13);
    download(apiUrl("/api/v1/report", { q, ...bounds, format, language, download: true }),
             `venus-report-${stamp}.${format}`)
      .catch((e) => setFailed(asApiError(e)));
  };
  const f = figures.data;
  const [keptVersion, setKeptVersion] = useState(0);
  return (
    <div class="page reports">
      <div class="toolbar">
        <form class="query-bar" onSubmit={(e) => { e.preventDefault(); go({ q: typed }); }}>
          <input class="query-input" data-testid="reports-query" value={typed} aria-label={t("discover.query")}
                 placeholder={t("reports.queryPlaceholder")} onInput={(e) => setTyped(e.currentTarget.value)} />
          <button class="primary" type="submit">{t("discover.search")}</button>
        </form>
        <TimePicker range={range} onChange={(next) => go(rangeToUrl(next))} />
      </div>
      <main class="page-main">
        <section class="card">
          <div class="card-head">
            <h2>{t("reports.title")}</h2>
            <select data-testid="reports-language" aria-label={t("reports.language")} value={language}
                    onChange={(e) => setLanguage(e.currentTarget.value as keyof typeof LANGUAGES)}>
              {Object.entries(LANGUAGES).map(([code, name]) => <option key={code} value={code}>{name}</option>)}
            </select>
            <button class="primary" data-testid="reports-pdf" disabled={!f} onClick={() => save("pdf")}>
              {t("reports.pdf")}</button>
            <button data-testid="reports-html" disabled={!f} onClick={() => save("html")}>{t("reports.html")}</button>
          </div>
          <p class="muted">{t("reports.explain")}</p>
          {failed && <p class="error" role="alert">{failed.message}</p>}
          {figures.error && <p class="error" role="alert" data-testid="reports-error">{figures.error.message}</p>}
          {figures.loading && !f && <p class="muted">{t("common.loading")}</p>}
          {f && (
            <div class="kpis" data-testid="reports-kpis">
              <button class="kpi" data-testid="reports-lines" onClick={() => openDiscover(q, range)}>
                <span class="kpi-value">{formatNumber(f.volume.total)}</span>
                <span class="kpi-label">{t("overview.lines")} · {change(f.volume.total, f.volume.previous)}</span></button>
              <button class="kpi" data-testid="reports-errors"
                      onClick={() => openDiscover(q ? `(${q}) AND ${ERRORS}` : ERRORS, range)}>
                <span class="kpi-value error">{formatNumber(f.error_rate.errors)}</span>
                <span class="kpi-label">{t("overview.errors")} · {(f.error_rate.rate * 100).toFixed(2)} %</span></button>
              <div class="kpi" data-testid="reports-alerts">
                <span class="kpi-value">{formatNumber(f.alerts.length)}</span>
                <span class="kpi-label">{t("reports.alerts")}</span></div>
              <div class="kpi" data-testid="reports-anomalies">
                <span class="kpi-value">{formatNumber(f.anomalies.findings.length)}</span>
                <span class="kpi-label">{t("reports.anomalies")} · {t("reports.silent", {
                  n: formatNumber(f.silent.hosts.length) })}</span></div>
            </div>
          )}
        </section>
        {f && f.typical_errors.length > 0 && (
          <section class="card">
            <h2>{t("reports.typical")}</h2>
            <table class="grid" data-testid="reports-typical">
              <thead><tr><th>{t("reports.typical")}</th><th class="num">{t("overview.lines")}</th>
                <th class="num">{t("reports.before")}</th></tr></thead>
              <tbody>
                {f.typical_errors.map((s) => (
                  <tr key={s.id}><td>{s.title}</td><td class="num">{formatNumber(s.count)}</td>
                    <td class="num">{formatNumber(s.previous)}</td></tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
        <KeptReports key={keptVersion} />
        <Schedules onRun={() => setKeptVersion((n) => n + 1)} />
      </main>
    </div>
  );
}
