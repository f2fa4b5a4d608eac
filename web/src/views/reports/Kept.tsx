// The reports kept (made on a schedule), newest first, with their files; and the schedules that make
// them: a new one (name, when, language, the channels it goes to), run one now, delete one.

import { useState } from "preact/hooks";
import { api, apiUrl, asApiError, download, type ApiError } from "../../api";
import { formatNumber, t } from "../../i18n";
import { formatTime } from "../../timerange";
import { useApi } from "../../useApi";

type KeptReport = { id: string; title: string; start: string; end: string; language: string; create_time: string;
                    summary: { lines: number; errors: number; alerts: number };
                    deliveries: { channel: string; status: string; error: string | null }[] };
type ReportSchedule = { id: string; name: string; schedule: string; span: number; language: string; query: string;
                        channels: string[]; next_run: string | null; last_run: string | null };
type Channel = { id: string; name: string; type: string };

const REPORT_CHANNELS = ["email", "webhook", "slack", "dingtalk", "wecom"];

function span(seconds: number): string {
  return seconds % 86400 === 0 ? `${seconds / 86400}d` : seconds % 3600 === 0 ? `${seconds / 3600}h` : `${seconds}s`;
}

export function KeptReports() {
  const kept = useApi<{ reports: KeptReport[] }>("/api/v1/reports");
  const [failed, setFailed] = useState<ApiError | null>(null);
  const save = (r: KeptReport, format: "pdf" | "html") =>
    download(apiUrl(`/api/v1/reports/${r.id}/${format}`), `venus-report-${r.id}.${format}`)
      .catch((e) => setFailed(asApiError(e)));
  const rows = kept.data?.reports ?? [];
  return (
    <section class="card">
      <div class="card-head"><h2>{t("reports.kept")}</h2></div>
      {failed && <p class="error" role="alert">{failed.message}</p>}
      {kept.error && <p class="error" role="alert">{kept.error.message}</p>}
      {kept.data && rows.length === 0 && <p class="empty">{t("reports.noneKept")}</p>}
      {rows.length > 0 && (
        <table class="grid" data-testid="kept-reports">
          <thead><tr><th>{t("reports.report")}</th><th>{t("reports.range")}</th><th class="num">{t("overview.lines")}</th>
            <th class="num">{t("overview.errors")}</th><th>{t("reports.sentTo")}</th><th /></tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-testid="kept-report">
                <td>{r.title}</td>
                <td class="nowrap">{formatTime(r.start, false)} → {formatTime(r.end, false)}</td>
                <td class="num">{formatNumber(r.summary.lines)}</td>
                <td class="num">{formatNumber(r.summary.errors)}</td>
                <td>{r.deliveries.map((d) => (
                  <span key={d.channel} class={`tag ${d.status === "sent" ? "" : "error"}`} title={d.error ?? ""}>
                    {d.channel} {d.status === "sent" ? "✓" : "✗"}</span>))}</td>
                <td class="nowrap">
                  <button onClick={() => save(r, "pdf")}>PDF</button> <button onClick={() => save(r, "html")}>HTML</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function Schedules({ onRun }: { onRun: () => void }) {
  const schedules = useApi<{ schedules: ReportSchedule[] }>("/api/v1/report-schedules");
  const channels = useApi<{ channels: Channel[] }>("/api/v1/channels");
  const [form, setForm] = useState({ name: "", schedule: "daily", language: "en", query: "" });
  const [chosen, setChosen] = useState<string[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const act = (id: string, call: Promise<unknown>) => {
    setBusy(id);
    setError(null);
    call.then(() => { schedules.reload(); onRun(); }).catch((e) => setError(asApiError(e))).finally(() => setBusy(null));
  };
  const usable = (channels.data?.channels ?? []).filter((c) => REPORT_CHANNELS.includes(c.type));
  return (
    <section class="card">
      <div class="card-head"><h2>{t("reports.schedules")}</h2></div>
      {error && <p class="error" role="alert" data-testid="schedule-error">{error.message}</p>}
      {(schedules.data?.schedules ?? []).length > 0 && (
        <table class="grid" data-testid="report-schedules">
          <thead><tr><th>{t("reports.name")}</th><th>{t("reports.when")}</th><th>{t("reports.span")}</th>
            <th>{t("reports.sentTo")}</th><th>{t("reports.nextRun")}</th><th /></tr></thead>
          <tbody>
            {schedules.data!.schedules.map((s) => (
              <tr key={s.id} data-testid="report-schedule">
                <td>{s.name}{s.query && <div class="muted">{s.query}</div>}</td>
                <td>{s.schedule}</td><td>{span(s.span)}</td><td>{s.channels.join(", ")}</td>
                <td class="nowrap">{s.next_run ? formatTime(s.next_run, false) : "—"}</td>
                <td class="nowrap">
                  <button disabled={busy !== null} data-testid="schedule-run"
                          onClick={() => act(s.id, api(`/api/v1/report-schedules/${s.id}/run`, {}, { method: "POST" }))}>
                    {busy === s.id ? t("common.loading") : t("reports.runNow")}</button>{" "}
                  <button disabled={busy !== null}
                          onClick={() => act(s.id, api(`/api/v1/report-schedules/${s.id}`, {}, { method: "DELETE" }))}>
                    {t("reports.delete")}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="schedule-form" data-testid="schedule-form" onSubmit={(e) => {
        e.preventDefault();
        act("new", api("/api/v1/report-schedules", {}, { method: "POST", json: { ...form, channels: chosen } })
          .then(() => setForm({ ...form, name: "" })));
      }}>
        <input aria-label={t("reports.name")} placeholder={t("reports.name")} value={form.name} required
               onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />
        <input aria-label={t("reports.when")} placeholder="daily, weekly, 0 7 * * 1-5, 12h" value={form.schedule}
               onInput={(e) => setForm({ ...form, schedule: e.currentTarget.value })} />
        <input aria-label={t("discover.query")} placeholder={t("reports.queryPlaceholder")} value={form.query}
               onInput={(e) => setForm({ ...form, query: e.currentTarget.value })} />
        <select aria-label={t("reports.language")} value={form.language}
                onChange={(e) => setForm({ ...form, language: e.currentTarget.value })}>
          <option value="en">English</option><option value="zh">简体中文</option>
        </select>
        <select multiple aria-label={t("reports.sentTo")} data-testid="schedule-channels"
                onChange={(e) => setChosen(Array.from(e.currentTarget.selectedOptions, (o) => o.value))}>
          {usable.map((c) => <option key={c.id} value={c.name}>{c.name} ({c.type})</option>)}
        </select>
        <button class="primary" type="submit" disabled={busy !== null}>{t("reports.addSchedule")}</button>
      </form>
      {usable.length === 0 && channels.data && <p class="muted">{t("reports.noChannels")}</p>}
    </section>
  );
}
