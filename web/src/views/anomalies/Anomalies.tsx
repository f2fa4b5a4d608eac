// Anomalies: what is unusual in a stretch of time against the day before it (templates new to a
// service, spikes and drops), each with its reason and opening its lines in Discover; and the
// root-cause candidates of the stretch, ranked, with their evidence.

import { useMemo, useState } from "preact/hooks";
import { LevelBadge } from "../../components/Marked";
import { TemplateText } from "../../components/TemplateText";
import { TimePicker } from "../../components/TimePicker";
import { formatNumber, t } from "../../i18n";
import type { MessageKey } from "../../locales/en";
import { filterClause } from "../../querytext";
import { location, navigate, openDiscover, rangeFromUrl, rangeToUrl } from "../../route";
import { absoluteRange, formatTime, rangeParams, type TimeRange } from "../../timerange";
import { useApi } from "../../useApi";

type Finding = { kind: string; template_id: number; template: string | null; service: string; host: string;
                 level: string; count: number; baseline: number; score: number; first_seen?: string; reason: string };
type Candidate = Finding & { parts: Record<string, number>; depended_on_by: string[];
                             evidence: { id: string; ts: string; host: string; program: string; message: string }[] };
const DEFAULT: TimeRange = { from: "now-1h", to: "now" };
const KINDS: Record<string, MessageKey> = { new_template: "anomalies.kind.new", spike: "anomalies.kind.spike",
                                             drop: "anomalies.kind.drop" };
const PARTS: Record<string, MessageKey> = { surprise: "anomalies.part.surprise", earliness: "anomalies.part.earliness",
                                             dependency: "anomalies.part.dependency" };

/** A kind as people read it; a cause found both new and spiking says both. */
const kindText = (kind: string) => kind.split("+").map((k) => (KINDS[k] ? t(KINDS[k]) : k)).join(" + ");

function linesOf(f: Finding): string {
  return [`template_id:${f.template_id}`, filterClause("service", f.service), filterClause("host", f.host)].join(" ");
}

export function Anomalies() {
  const params = location.value.searchParams;
  const range = rangeFromUrl(location.value, DEFAULT);
  const lookback = params.get("lookback") ?? "1d";
  const [rca, setRca] = useState(false);
  const bounds = useMemo(() => rangeParams(range, new Date()), [range.from, range.to]);
  const found = useApi<{ anomalies: Finding[]; window: { start: string; end: string } }>(
    "/api/v1/anomalies", { ...bounds, lookback, size: 100 });
  const causes = useApi<{ candidates: Candidate[] }>(rca ? "/api/v1/rca" : null, { ...bounds, lookback });
  const go = (next: Record<string, string>) => navigate("/anomalies", { ...rangeToUrl(range), lookback, ...next });
  const windowRange = found.data ? absoluteRange(new Date(found.data.window.start), new Date(found.data.window.end)) : range;
  return (
    <div class="page anomalies">
      <div class="toolbar">
        <TimePicker range={range} onChange={(next) => { setRca(false); go(rangeToUrl(next)); }} />
        <label class="check">{t("anomalies.lookback")}
          <select value={lookback} data-testid="lookback" onChange={(e) => go({ lookback: e.currentTarget.value })}>
            {["6h", "1d", "3d", "7d"].map((v) => <option key={v} value={v}>{v}</option>)}
          </select></label>
        <button class="primary" data-testid="find-cause" onClick={() => { setRca(true); causes.reload(); }}>
          {t("anomalies.findCause")}</button>
      </div>
      <main class="page-main">
        {rca && (
          <section class="card" data-testid="root-causes">
            <header class="card-head"><h2>{t("anomalies.causes")}</h2></header>
            {causes.loading && <p class="muted">{t("common.loading")}</p>}
            {causes.error && <p class="error" role="alert">{causes.error.message}</p>}
            {causes.data && causes.data.candidates.length === 0 && <p class="empty">{t("anomalies.noCause")}</p>}
            <ol class="causes">
              {(causes.data?.candidates ?? []).map((c) => (
                <li key={`${c.template_id}/${c.service}/${c.host}`} data-testid="cause">
                  <div><strong>{c.service}</strong> {t("anomalies.on")} <strong>{c.host}</strong> <LevelBadge level={c.level} />
                    <span class="muted"> · {t("anomalies.score")} {c.score} ({Object.entries(c.parts).map(([k, v]) => `${PARTS[k] ? t(PARTS[k]) : k} ${v}`).join(", ")})</span></div>
                  <div class="col-message"><TemplateText text={c.template} id={c.template_id} /></div>
                  <div class="muted">{c.reason}{c.depended_on_by.length ? ` · ${t("anomalies.dependedOn", { services: c.depended_on_by.join(", ") })}` : ""}</div>
                  {c.evidence[0] && (
                    <button class="link" onClick={() => navigate("/discover", { from: "all", context: c.evidence[0].id })}>
                      {formatTime(c.evidence[0].ts)} {c.evidence[0].message.split("\n")[0].slice(0, 160)}</button>
                  )}
                </li>
              ))}
            </ol>
          </section>
        )}
        <section class="card">
          <header class="card-head"><h2>{t("anomalies.title")}</h2>
            {found.data && <span class="muted">{formatTime(found.data.window.start, false)} → {formatTime(found.data.window.end, false)}</span>}
          </header>
          {found.error && <p class="error" role="alert">{found.error.message}</p>}
          {found.data && found.data.anomalies.length === 0 && <p class="empty" data-testid="no-anomalies">{t("anomalies.none")}</p>}
          {found.data && found.data.anomalies.length > 0 && (
            <table class="grid" data-testid="anomaly-table">
              <thead><tr><th class="num">{t("anomalies.score")}</th><th>{t("anomalies.kind")}</th><th>{t("field.service")}</th>
                <th>{t("field.host")}</th><th>{t("field.level")}</th><th class="num">{t("overview.lines")}</th>
                <th>{t("patterns.template")}</th><th>{t("anomalies.why")}</th></tr></thead>
              <tbody>
                {found.data.anomalies.map((a) => (
                  <tr key={`${a.kind}/${a.template_id}/${a.service}/${a.host}`} class="clickable" data-testid="anomaly-row"
                      data-kind={a.kind} data-service={a.service} onClick={() => openDiscover(linesOf(a), windowRange)}>
                    <td class="num">{a.score}</td>
                    <td><span class={`state state-${a.kind === "drop" ? "pending" : "firing"}`}>{kindText(a.kind)}</span></td>
                    <td>{a.service}</td><td>{a.host}</td><td><LevelBadge level={a.level} /></td>
                    <td class="num">{formatNumber(a.count)}</td>
                    <td class="col-message"><TemplateText text={a.template} id={a.template_id} /></td>
                    <td class="muted">{a.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </main>
    </div>
  );
}
