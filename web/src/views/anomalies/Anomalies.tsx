// Anomalies: what is unusual in a stretch of time against the day before it (templates new to a
// service, spikes and drops), each with its reason and opening its lines in Discover; the
// instances (or requests) whose lines came in an unusual order, at which step; and the root-cause
// candidates of the stretch, or of an alert's latest episode (?alert=&group=), ranked, with their
// evidence.

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
import { labelText } from "../alerts/AlertList";
import { kindText } from "./kinds";

type Finding = { kind: string; template_id: number; template: string | null; service: string; host: string;
                 level: string; count: number; baseline: number; score: number; first_seen?: string; reason: string };
type Candidate = Finding & { parts: Record<string, number>; depended_on_by: string[];
                             evidence: { id: string; ts: string; host: string; program: string; message: string }[] };
type Episode = { rule: string; labels: Record<string, string>; breached_at: string; fired_at: string | null };
type Causes = { candidates: Candidate[]; window: { start: string; end: string }; alert?: Episode };
type Deviation = { key: string; position: number; context: number[]; got: number | null; expected: (number | null)[] };
type Sequences = { learned: number; min_learned: number; checked: number; deviating: number; sequences: Deviation[];
                   templates: Record<string, string> };
const KEYS = ["instance", "request"] as const;
const LOOKBACKS = ["6h", "1d", "3d", "7d"];
const DEFAULT: TimeRange = { from: "now-1h", to: "now" };
const PARTS: Record<string, MessageKey> = { surprise: "anomalies.part.surprise", earliness: "anomalies.part.earliness",
                                             dependency: "anomalies.part.dependency" };


function linesOf(f: Finding): string {
  return [`template_id:${f.template_id}`, filterClause("service", f.service), filterClause("host", f.host)].join(" ");
}

/** An alert's labels without those every alert of the rule shares. */
const groupOf = (labels: Record<string, string>) =>
  Object.fromEntries(Object.entries(labels).filter(([k]) => k !== "alertname" && k !== "severity"));

export function Anomalies() {
  const params = location.value.searchParams;
  const range = rangeFromUrl(location.value, DEFAULT);
  const lookback = params.get("lookback") ?? "1d";
  const alert = params.get("alert");
  const group = params.get("group") ?? undefined;
  const [rca, setRca] = useState(false);
  const rangeBounds = useMemo(() => rangeParams(range, new Date()), [range.from, range.to]);
  const causes = useApi<Causes>(rca || alert ? "/api/v1/rca" : null,
                                alert ? { alert, group, lookback } : { ...rangeBounds, lookback });
  // Of an alert, the stretch is its episode's, known once the root causes have come.
  const episodeBounds = causes.data && alert ? { since: causes.data.window.start, until: causes.data.window.end } : null;
  const bounds = alert ? episodeBounds : rangeBounds;
  const found = useApi<{ anomalies: Finding[]; window: { start: string; end: string } }>(
    bounds ? "/api/v1/anomalies" : null, { ...bounds, lookback, size: 100 });
  const go = (next: Record<string, string>) => navigate("/anomalies", { ...rangeToUrl(range), lookback, ...next });
  const windowRange = found.data ? absoluteRange(new Date(found.data.window.start), new Date(found.data.window.end)) : range;
  const episode = causes.data?.alert;
  return (
    <div class="page anomalies">
      <div class="toolbar">
        <TimePicker range={range} onChange={(next) => { setRca(false); go(rangeToUrl(next)); }} />
        <label class="check">{t("anomalies.lookback")}
          <select value={lookback} data-testid="lookback"
                  onChange={(e) => go({ lookback: e.currentTarget.value, alert: alert ?? "", group: group ?? "" })}>
            {[...new Set([lookback, ...LOOKBACKS])].map((v) => <option key={v} value={v}>{v}</option>)}
          </select></label>
        {!alert && <button class="primary" data-testid="find-cause" onClick={() => { setRca(true); causes.reload(); }}>
          {t("anomalies.findCause")}</button>}
      </div>
      <main class="page-main">
        {(rca || alert) && (
          <section class="card" data-testid="root-causes">
            <header class="card-head"><h2>{episode
              ? t("anomalies.ofAlert", { rule: episode.rule, labels: labelText(groupOf(episode.labels)), breached: formatTime(episode.breached_at),
                                         fired: episode.fired_at ? formatTime(episode.fired_at) : t("anomalies.notFired") })
              : t("anomalies.causes")}</h2></header>
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
          {(found.loading || (alert && causes.loading)) && <p class="muted">{t("common.loading")}</p>}
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
        {bounds && <SequenceList bounds={bounds} lookback={lookback} />}
      </main>
    </div>
  );
}

/** The instances or requests of the stretch whose lines came in an order not seen in the lookback:
 * the first step that deviates, what came before it, and what usually follows there. */
function SequenceList({ bounds, lookback }: { bounds: Record<string, string | undefined>; lookback: string }) {
  const [key, setKey] = useState<(typeof KEYS)[number]>("instance");
  const found = useApi<Sequences>("/api/v1/anomalies/sequences", { ...bounds, lookback, key, size: 100 });
  const text = (id: number | null, none: MessageKey) =>
    id === null ? <span class="muted">{t(none)}</span> : <TemplateText text={found.data?.templates[String(id)] ?? null} id={id} />;
  return (
    <section class="card" data-testid="sequences">
      <header class="card-head"><h2>{t("anomalies.sequences")}</h2>
        <select value={key} data-testid="sequence-key" aria-label={t("anomalies.sequences")}
                onChange={(e) => setKey(e.currentTarget.value as (typeof KEYS)[number])}>
          {KEYS.map((k) => <option key={k} value={k}>{t(`anomalies.key.${k}`)}</option>)}
        </select>
        {found.data && <span class="muted" data-testid="sequence-summary">{t("anomalies.sequencesSummary", {
          deviating: formatNumber(found.data.deviating), checked: formatNumber(found.data.checked),
          learned: formatNumber(found.data.learned) })}</span>}
      </header>
      {found.loading && <p class="muted">{t("common.loading")}</p>}
      {found.error && <p class="error" role="alert">{found.error.message}</p>}
      {found.data && found.data.learned < found.data.min_learned && (
        <p class="empty" data-testid="too-few-learned">{t("anomalies.tooFewLearned", { learned: found.data.learned,
                                                                                        min: found.data.min_learned })}</p>)}
      {found.data && found.data.learned >= found.data.min_learned && found.data.sequences.length === 0 && (
        <p class="empty">{t("anomalies.noSequences")}</p>)}
      {found.data && found.data.sequences.length > 0 && (
        <table class="grid" data-testid="sequence-table">
          <thead><tr><th>{t(`anomalies.key.${key}`)}</th><th class="num">{t("anomalies.step")}</th><th>{t("anomalies.after")}</th>
            <th>{t("anomalies.got")}</th><th>{t("anomalies.usually")}</th></tr></thead>
          <tbody>
            {found.data.sequences.map((d) => (
              <tr key={d.key} data-testid="sequence-row" data-key={d.key}>
                <td class="mono"><button class="link" onClick={() => navigate(`/chain/${encodeURIComponent(d.key)}`)}>{d.key}</button></td>
                <td class="num">{d.position + 1}</td>
                <td class="col-message">{d.context.length ? text(d.context[d.context.length - 1], "anomalies.start") : <span class="muted">{t("anomalies.start")}</span>}</td>
                <td class="col-message">{text(d.got, "anomalies.end")}</td>
                <td class="col-message">{d.expected.map((e, i) => <div key={i}>{text(e, "anomalies.end")}</div>)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
