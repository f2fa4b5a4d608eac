// The overview: the cloud's logs at a glance over a time range (in the URL). Volume by level and
// by service over time, the error rate, the loggers that log the most errors, hosts that went
// silent, the typical errors with their trends, and API status and latency. Every figure opens
// the lines behind it in Discover (a chart's bar, a table's row) or the call chain of a request.

import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Histogram as HistogramData } from "../../api";
import { echarts } from "../../charts";
import { TimePicker } from "../../components/TimePicker";
import { formatNumber, language, t } from "../../i18n";
import { filterClause } from "../../querytext";
import { chainPath, location, navigate, openDiscover, rangeFromUrl, rangeToUrl } from "../../route";
import { absoluteRange, formatTime, rangeParams, type TimeRange } from "../../timerange";
import { useApi } from "../../useApi";
import { Histogram } from "../discover/Histogram";
import { type CountSeries, silentHosts } from "./summaries";
import { Sparkline } from "../../components/Sparkline";

const ERRORS = "level:(ERROR OR CRITICAL)";
const BUCKETS = 48;
const HOST_BUCKETS = 24;
const QUIET_BUCKETS = 3; // the last eighth of the range: a host with no line there has gone silent

type Crosstab = { rows: CountSeries[]; total: number; interval_seconds: number };
type Typical = { signatures: { id: string; title: string; query: string; total: number;
                               programs: { program: string; total: number; buckets: { count: number }[] }[] }[] };
type Latency = {
  apis: { service: string; method: string; route: string; count: number; errors: number; error_rate: number;
          p50_ms: number | null; p95_ms: number | null; p99_ms: number | null }[];
  slowest: { time_ms: number; status: number; method: string; path: string; service: string; host: string; ts: string;
             request_id: string; global_request_id: string }[];
};

export function Overview() {
  const range = rangeFromUrl(location.value);
  const [refreshed, setRefreshed] = useState(0);
  const bounds = useMemo(() => rangeParams(range, new Date()), [range.from, range.to, refreshed]);
  const open = (q: string, within: TimeRange = range) => openDiscover(q, within);

  const histogram = useApi<HistogramData>("/api/v1/histogram", { buckets: BUCKETS, ...bounds });
  const services = useApi<Crosstab>("/api/v1/crosstab", { by: "service", size: 8, buckets: BUCKETS, ...bounds });
  const loggers = useApi<Crosstab>("/api/v1/crosstab", { by: ["program", "logger"], q: ERRORS, size: 10, ...bounds });
  const hosts = useApi<Crosstab>("/api/v1/crosstab", { by: "host", size: 10_000, buckets: HOST_BUCKETS, ...bounds });
  const typical = useApi<Typical>("/api/v1/typical", { buckets: 24, ...bounds });
  const latency = useApi<Latency>("/api/v1/latency", { size: 10, slowest: 5, ...bounds });

  const levels = histogram.data?.buckets.reduce((sum, b) => {
    for (const [level, n] of Object.entries(b.levels)) sum[level] = (sum[level] ?? 0) + n;
    return sum;
  }, {} as Record<string, number>) ?? {};
  const total = histogram.data?.total ?? 0;
  const errors = (levels.ERROR ?? 0) + (levels.CRITICAL ?? 0);
  const quiet = hosts.data ? silentHosts(hosts.data.rows, QUIET_BUCKETS) : null;

  return (
    <div class="page overview">
      <div class="toolbar">
        <TimePicker range={range} onChange={(next) => navigate("/overview", rangeToUrl(next))} />
        <button onClick={() => setRefreshed(refreshed + 1)}>{t("common.refresh")}</button>
      </div>
      <main class="page-main">
        <div class="kpis" data-testid="kpis">
          <button class="kpi" data-testid="kpi-lines" onClick={() => open("")}>
            <span class="kpi-value">{formatNumber(total)}</span><span class="kpi-label">{t("overview.lines")}</span></button>
          <button class="kpi" data-testid="kpi-errors" onClick={() => open(ERRORS)}>
            <span class="kpi-value error">{formatNumber(errors)}</span><span class="kpi-label">{t("overview.errors")}</span></button>
          <button class="kpi" data-testid="kpi-error-rate" onClick={() => open(ERRORS)}>
            <span class="kpi-value">{total ? `${((errors / total) * 100).toFixed(2)} %` : "—"}</span>
            <span class="kpi-label">{t("overview.errorRate")}</span></button>
          <button class="kpi" data-testid="kpi-warnings" onClick={() => open("level:WARNING")}>
            <span class="kpi-value">{formatNumber(levels.WARNING ?? 0)}</span><span class="kpi-label">{t("overview.warnings")}</span></button>
        </div>
        <section class="card">
          <header class="card-head"><h2>{t("overview.byLevel")}</h2></header>
          <Histogram data={histogram.data} onZoom={(start, end) => open("", absoluteRange(start, end))} />
        </section>
        <section class="card">
          <header class="card-head"><h2>{t("overview.byService")}</h2></header>
          <ServiceChart data={services.data} onPick={(service, start, end) => open(filterClause("service", service), absoluteRange(start, end))} />
        </section>
        <div class="columns">
          <section class="card" data-testid="error-loggers">
            <header class="card-head"><h2>{t("overview.topLoggers")}</h2></header>
            {loggers.data && loggers.data.rows.length === 0 && <p class="empty">{t("overview.noErrors")}</p>}
            <table class="grid">
              <tbody>
                {(loggers.data?.rows ?? []).map((row) => (
                  <tr key={`${row.key.program}/${row.key.logger}`} class="clickable" data-testid="logger-row"
                      onClick={() => open(`${ERRORS} ${filterClause("program", row.key.program)} ${filterClause("logger", row.key.logger)}`)}>
                    <td>{row.key.program}<div class="mono muted">{row.key.logger || t("discover.empty")}</div></td>
                    <td class="num">{formatNumber(row.count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section class="card" data-testid="silent-hosts">
            <header class="card-head"><h2>{t("overview.silentHosts")}</h2></header>
            {hosts.data && <p class="hint">{t("overview.silentExplain", { n: QUIET_BUCKETS, hours: formatHours(hosts.data.interval_seconds * QUIET_BUCKETS) })}</p>}
            {quiet && quiet.length === 0 && <p class="ok" data-testid="no-silent-hosts">{t("overview.noSilentHosts", { n: hosts.data!.rows.length })}</p>}
            <table class="grid">
              <tbody>
                {(quiet ?? []).map((h) => (
                  <tr key={h.host} class="clickable" data-testid="silent-host" onClick={() => open(filterClause("host", h.host))}>
                    <td>{h.host}</td><td class="col-time">{t("overview.lastSeen", { time: formatTime(h.lastSeen, false) })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </div>
        <section class="card" data-testid="typical-errors">
          <header class="card-head"><h2>{t("overview.typical")}</h2></header>
          <table class="grid">
            <thead><tr><th>{t("overview.signature")}</th><th>{t("overview.trend")}</th><th>{t("overview.programs")}</th>
              <th class="num">{t("overview.lines")}</th></tr></thead>
            <tbody>
              {(typical.data?.signatures ?? []).filter((s) => s.total > 0).sort((a, b) => b.total - a.total).map((s) => (
                <tr key={s.id} class="clickable" data-testid="typical-row" data-signature={s.id} onClick={() => open(s.query)}>
                  <td>{s.title}<div class="mono muted">{s.query}</div></td>
                  <td><Sparkline values={sumBuckets(s.programs)} /></td>
                  <td class="muted">{s.programs.slice(0, 3).map((p) => `${p.program} ${formatNumber(p.total)}`).join(", ")}</td>
                  <td class="num">{formatNumber(s.total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <LatencyTable data={latency.data} open={open} />
      </main>
    </div>
  );
}

function formatHours(seconds: number): string {
  return seconds >= 3600 ? `${+(seconds / 3600).toFixed(1)} h` : `${Math.round(seconds / 60)} min`;
}

function sumBuckets(programs: { buckets: { count: number }[] }[]): number[] {
  const sums: number[] = [];
  for (const p of programs) p.buckets.forEach((b, i) => { sums[i] = (sums[i] ?? 0) + b.count; });
  return sums;
}

function ServiceChart({ data, onPick }: { data: Crosstab | null; onPick: (service: string, start: Date, end: Date) => void }) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const pick = useRef(onPick);
  pick.current = onPick;
  const step = useRef(0);
  useEffect(() => {
    const c = echarts.init(element.current!);
    chart.current = c;
    c.on("click", (event: any) => {
      const start = new Date(event.value[0]);
      pick.current(event.seriesName, start, new Date(start.getTime() + step.current * 1000));
    });
    const resize = () => c.resize();
    window.addEventListener("resize", resize);
    return () => { window.removeEventListener("resize", resize); c.dispose(); };
  }, []);
  useEffect(() => {
    if (!chart.current || !data) return;
    step.current = data.interval_seconds;
    chart.current.setOption({
      animation: false,
      grid: { left: 56, right: 16, top: 32, bottom: 24 },
      legend: { top: 0, type: "scroll", textStyle: { fontSize: 11 } },
      tooltip: { trigger: "axis" },
      xAxis: { type: "time", axisLabel: { hideOverlap: true, fontSize: 11 } },
      yAxis: { type: "value", axisLabel: { fontSize: 11 } },
      series: data.rows.map((row) => ({
        name: row.key.service || t("discover.empty"), type: "line", stack: "services", areaStyle: {}, symbol: "circle",
        symbolSize: 4, data: row.buckets.map((b) => [Date.parse(b.time), b.count]),
      })),
    }, { notMerge: true });
  }, [data, language.value]);
  return <div ref={element} class="service-chart" data-testid="service-chart" />;
}

function LatencyTable({ data, open }: { data: Latency | null; open: (q: string) => void }) {
  const ms = (v: number | null) => (v === null ? "—" : formatNumber(Math.round(v)));
  return (
    <section class="card" data-testid="latency">
      <header class="card-head"><h2>{t("overview.latency")}</h2></header>
      {data && data.apis.length === 0 && <p class="empty">{t("overview.noApi")}</p>}
      {data && data.apis.length > 0 && (
        <div class="columns">
          <table class="grid">
            <thead><tr><th>{t("overview.api")}</th><th class="num">{t("overview.requests")}</th><th class="num">{t("overview.errorRate")}</th>
              <th class="num">p50 ms</th><th class="num">p95 ms</th><th class="num">p99 ms</th></tr></thead>
            <tbody>
              {data.apis.map((a) => (
                <tr key={`${a.service} ${a.method} ${a.route}`} class="clickable" data-testid="api-row"
                    onClick={() => open(`${filterClause("service", a.service)} ${filterClause("http_method", a.method)} ${filterClause("http_route", a.route)}`)}>
                  <td><span class="muted">{a.service}</span> <span class="mono">{a.method} {a.route}</span></td>
                  <td class="num">{formatNumber(a.count)}</td>
                  <td class={a.errors ? "num error" : "num"}>{(a.error_rate * 100).toFixed(2)} %</td>
                  <td class="num">{ms(a.p50_ms)}</td><td class="num">{ms(a.p95_ms)}</td><td class="num">{ms(a.p99_ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table class="grid">
            <thead><tr><th>{t("overview.slowest")}</th><th class="num">ms</th></tr></thead>
            <tbody>
              {data.slowest.map((s) => (
                <tr key={`${s.ts}${s.request_id}`} class={s.request_id ? "clickable" : ""} data-testid="slow-request"
                    onClick={() => { if (s.request_id) navigate(chainPath(s.global_request_id || s.request_id)); }}>
                  <td><span class="mono">{s.method} {s.path}</span><div class="muted">{s.service} · {s.host} · {formatTime(s.ts, false)} · {s.status}</div></td>
                  <td class="num">{formatNumber(Math.round(s.time_ms))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
