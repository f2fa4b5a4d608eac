// Patterns: the log templates of the matching lines over a time range, the most lines first, with
// their share, trend, and first and last time seen. A row opens its lines in Discover
// (template_id:<id>); the query narrows the templates to the lines it matches.

import { useMemo, useState } from "preact/hooks";
import { Sparkline } from "../../components/Sparkline";
import { TemplateText } from "../../components/TemplateText";
import { TimePicker } from "../../components/TimePicker";
import { formatNumber, t } from "../../i18n";
import { location, navigate, openDiscover, rangeFromUrl, rangeToUrl } from "../../route";
import { formatTime, rangeParams } from "../../timerange";
import { useApi } from "../../useApi";

type Template = { id: number; text: string | null; count: number; total?: number; first_seen?: string;
                  last_seen?: string; buckets: { time: string; count: number }[] };
type Templates = { total: number; unmined: number; templates: Template[] };

const SIZE = 200;

export function Patterns() {
  const params = location.value.searchParams;
  const q = params.get("q") ?? "";
  const range = rangeFromUrl(location.value);
  const [typed, setTyped] = useState(q);
  const bounds = useMemo(() => rangeParams(range, new Date()), [range.from, range.to]);
  const found = useApi<Templates>("/api/v1/templates", { q, size: SIZE, buckets: 24, ...bounds });
  const go = (next: { q?: string; from?: string; to?: string }) =>
    navigate("/patterns", { q, ...rangeToUrl(range), ...next });
  const total = found.data?.total ?? 0;
  return (
    <div class="page patterns">
      <div class="toolbar">
        <form class="query-bar" onSubmit={(e) => { e.preventDefault(); go({ q: typed }); }}>
          <input class="query-input" data-testid="patterns-query" value={typed} aria-label={t("discover.query")}
                 placeholder={t("discover.queryPlaceholder")} onInput={(e) => setTyped(e.currentTarget.value)} />
          <button class="primary" type="submit">{t("discover.search")}</button>
        </form>
        <TimePicker range={range} onChange={(next) => go(rangeToUrl(next))} />
      </div>
      <main class="page-main">
        {found.error && <p class="error" role="alert">{found.error.message}</p>}
        {found.data && (
          <p class="muted" data-testid="patterns-summary">
            {t("patterns.summary", { templates: formatNumber(found.data.templates.length), lines: formatNumber(total) })}
            {found.data.unmined ? ` ${t("patterns.unmined", { n: formatNumber(found.data.unmined) })}` : ""}
          </p>
        )}
        {found.data && found.data.templates.length === 0 && <p class="empty">{t("patterns.none")}</p>}
        {found.data && found.data.templates.length > 0 && (
          <section class="card">
            <table class="grid" data-testid="patterns-table">
              <thead><tr><th class="num">{t("overview.lines")}</th><th class="num">%</th><th>{t("overview.trend")}</th>
                <th>{t("patterns.template")}</th><th>{t("patterns.seen")}</th></tr></thead>
              <tbody>
                {found.data.templates.map((p) => (
                  <tr key={p.id} class="clickable" data-testid="pattern-row" data-id={p.id}
                      onClick={() => openDiscover(`template_id:${p.id}${q ? ` ${q}` : ""}`, range)}>
                    <td class="num">{formatNumber(p.count)}</td>
                    <td class="num">{total ? ((p.count / total) * 100).toFixed(1) : "0"}</td>
                    <td><Sparkline values={p.buckets.map((b) => b.count)} colour="#2563eb" /></td>
                    <td class="col-message"><TemplateText text={p.text} id={p.id} /></td>
                    <td class="col-time">{p.first_seen ? `${formatTime(p.first_seen, false)} → ${formatTime(p.last_seen!, false)}` : ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
      </main>
    </div>
  );
}
