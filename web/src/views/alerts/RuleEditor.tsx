// One alert rule in a form: create or edit it, and before saving see what it measures now and
// what it would have breached over the last day (the API's preview with history).

import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, asApiError, ApiError, type AlertRule, type Channel, type Preview } from "../../api";
import { echarts } from "../../charts";
import { formatNumber, language, t } from "../../i18n";
import type { MessageKey } from "../../locales/en";
import { navigate } from "../../route";
import { useApi } from "../../useApi";
import { labelText } from "./AlertList";
import { ANOMALY_KINDS, formFromRule, type RuleForm, ruleFromForm } from "./ruleform";
import { kindText } from "../anomalies/kinds";

const CONDITIONS = ["count", "rate", "ratio", "absence", "anomaly"] as const;
const SEVERITIES = ["critical", "error", "warning", "info"] as const;
// The fields with a row of their own, where the API's error about them is shown.
const FORM_FIELDS = new Set(["name", "query", "condition", "numerator", "threshold", "window", "lookback", "group_by", "for", "kinds",
  "severity", "channels", "renotify", "description"]);

/** A labelled input; the API's error shows under the input of the field it names. */
export function FormRow({ label, name, error, hint, children }: {
  label: string; name: string; error: ApiError | null; hint?: string; children: ComponentChildren;
}) {
  const wrong = error?.field !== undefined && error.field.split(".")[0] === name;
  return (
    <label class={wrong ? "form-row invalid" : "form-row"} data-field={name}>
      <span class="form-label">{label}</span>
      {children}
      {hint && <span class="hint">{hint}</span>}
      {wrong && <span class="error" data-testid="field-error">{error!.message}</span>}
    </label>
  );
}

export function RuleEditor({ id }: { id: string | null }) {
  const stored = useApi<{ rule: AlertRule }>(id ? `/api/v1/alerts/rules/${id}` : null);
  const channels = useApi<{ channels: Channel[] }>("/api/v1/channels");
  const [form, setForm] = useState<RuleForm>(formFromRule());
  const [error, setError] = useState<ApiError | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => { if (stored.data) setForm(formFromRule(stored.data.rule)); }, [stored.data]);

  const set = <K extends keyof RuleForm>(key: K, value: RuleForm[K]) => setForm({ ...form, [key]: value });
  const text = (key: "name" | "description" | "query" | "threshold" | "numerator" | "window" | "lookback" | "group_by" | "for" | "renotify") => ({
    value: form[key], name: key, "data-testid": `rule-${key}`,
    onInput: (e: Event) => set(key, (e.currentTarget as HTMLInputElement).value),
  });

  async function run(work: () => Promise<void>) {
    setBusy(true);
    try {
      await work();
      setError(null);
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  }
  const showPreview = () => run(async () => {
    setPreview(await api<Preview>("/api/v1/alerts/rules/preview", { history: "1d" }, { method: "POST", json: ruleFromForm(form) }));
  });
  const save = () => run(async () => {
    await api(id ? `/api/v1/alerts/rules/${id}` : "/api/v1/alerts/rules", {},
              { method: id ? "PUT" : "POST", json: ruleFromForm(form) });
    navigate("/alerts", { tab: "rules" });
  });

  if (stored.error) return <p class="error" role="alert">{stored.error.message}</p>;
  return (
    <section class="card rule-editor" data-testid="rule-editor">
      <header class="card-head"><h2>{id ? t("alerts.editRule", { name: form.name }) : t("alerts.newRule")}</h2></header>
      <form class="form-grid" onSubmit={(e) => { e.preventDefault(); save(); }}>
        <FormRow label={t("alerts.name")} name="name" error={error}><input {...text("name")} required /></FormRow>
        <FormRow label={t("alerts.query")} name="query" error={error} hint={t("alerts.queryHint")}>
          <input class="mono" {...text("query")} placeholder="level:ERROR service:nova" /></FormRow>
        <FormRow label={t("alerts.condition")} name="condition" error={error}>
          <select value={form.condition} data-testid="rule-condition"
                  onChange={(e) => set("condition", e.currentTarget.value as RuleForm["condition"])}>
            {CONDITIONS.map((c) => <option key={c} value={c}>{t(`alerts.cond.${c}` as MessageKey)}</option>)}
          </select></FormRow>
        {form.condition === "ratio" && (
          <FormRow label={t("alerts.numerator")} name="numerator" error={error} hint={t("alerts.numeratorHint")}>
            <input class="mono" {...text("numerator")} /></FormRow>
        )}
        {form.condition === "anomaly" && (
          <FormRow label={t("alerts.kinds")} name="kinds" error={error}>
            <span class="checks">
              {ANOMALY_KINDS.map((kind) => (
                <label key={kind} class="check"><input type="checkbox" checked={form.kinds.includes(kind)} data-testid={`rule-kind-${kind}`}
                  onChange={(e) => set("kinds", e.currentTarget.checked ? [...form.kinds, kind] : form.kinds.filter((k) => k !== kind))} />
                  {kindText(kind)}</label>
              ))}
            </span></FormRow>
        )}
        {form.condition === "anomaly" && (
          <FormRow label={t("alerts.threshold")} name="threshold" error={error} hint={t("alerts.anomalyHint")}>
            <input {...text("threshold")} inputMode="decimal" /></FormRow>
        )}
        {form.condition !== "absence" && form.condition !== "anomaly" && (
          <FormRow label={t("alerts.threshold")} name="threshold" error={error}>
            <span class="inline">
              <select value={form.op} aria-label={t("alerts.op")} onChange={(e) => set("op", e.currentTarget.value as RuleForm["op"])}>
                <option value="above">{t("alerts.op.above")}</option><option value="below">{t("alerts.op.below")}</option>
              </select>
              <input {...text("threshold")} inputMode="decimal" />
            </span></FormRow>
        )}
        <FormRow label={t("alerts.window")} name="window" error={error} hint={t("alerts.durationHint")}><input {...text("window")} /></FormRow>
        {(form.condition === "absence" || form.condition === "anomaly") && (
          <FormRow label={t(form.condition === "absence" ? "alerts.lookback" : "alerts.baseline")} name="lookback" error={error}>
            <input {...text("lookback")} /></FormRow>
        )}
        <FormRow label={t("alerts.groupBy")} name="group_by" error={error} hint={t("alerts.groupByHint")}>
          <input class="mono" {...text("group_by")} placeholder="host, program" /></FormRow>
        <FormRow label={t("alerts.for")} name="for" error={error} hint={t("alerts.forHint")}><input {...text("for")} /></FormRow>
        <FormRow label={t("alerts.severity")} name="severity" error={error}>
          <select value={form.severity} onChange={(e) => set("severity", e.currentTarget.value as RuleForm["severity"])}>
            {SEVERITIES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select></FormRow>
        <FormRow label={t("alerts.tab.channels")} name="channels" error={error}>
          <span class="checks">
            {(channels.data?.channels ?? []).map((c) => (
              <label key={c.id} class="check"><input type="checkbox" checked={form.channels.includes(c.name)}
                onChange={(e) => set("channels", e.currentTarget.checked ? [...form.channels, c.name]
                                                                          : form.channels.filter((n) => n !== c.name))} />{c.name}</label>
            ))}
            {channels.data?.channels.length === 0 && <span class="muted">{t("alerts.noChannels")}</span>}
          </span></FormRow>
        <FormRow label={t("alerts.renotify")} name="renotify" error={error}><input {...text("renotify")} /></FormRow>
        <FormRow label={t("alerts.description")} name="description" error={error}>
          <textarea value={form.description} rows={2} onInput={(e) => set("description", e.currentTarget.value)} /></FormRow>
        <label class="check"><input type="checkbox" checked={form.notify_resolved}
                                    onChange={(e) => set("notify_resolved", e.currentTarget.checked)} />{t("alerts.notifyResolved")}</label>
        <label class="check"><input type="checkbox" checked={form.enabled}
                                    onChange={(e) => set("enabled", e.currentTarget.checked)} />{t("alerts.enabled")}</label>
        {error && !FORM_FIELDS.has(error.field?.split(".")[0] ?? "") && (
          <p class="error" role="alert" data-testid="form-error">{error.field ? `${error.field}: ` : ""}{error.message}</p>
        )}
        <div class="form-actions">
          <button type="button" data-testid="preview-rule" disabled={busy} onClick={showPreview}>{t("alerts.preview")}</button>
          <button type="submit" class="primary" data-testid="save-rule" disabled={busy}>{t("common.save")}</button>
          <button type="button" onClick={() => navigate("/alerts", { tab: "rules" })}>{t("common.cancel")}</button>
        </div>
      </form>
      {preview && <PreviewResult preview={preview} />}
    </section>
  );
}

function PreviewResult({ preview }: { preview: Preview }) {
  const history = preview.history;
  return (
    <div class="preview" data-testid="preview">
      <p data-testid="preview-summary">
        {t("alerts.previewNow", { n: preview.breached, groups: preview.groups.length })}
        {history && ` ${t("alerts.previewDay", { n: history.breached_moments, total: history.moments.length,
                                                 step: Math.round(history.step_seconds / 60) })}`}
      </p>
      {history && <PreviewChart history={history} />}
      {preview.groups.length > 0 && (
        <table class="grid">
          <thead><tr><th>{t("alerts.labels")}</th><th>{t("alerts.value")}</th><th /></tr></thead>
          <tbody>
            {preview.groups.slice(0, 20).map((g, i) => (
              <tr key={i} class={g.breached ? "breached" : ""}>
                <td class="mono">{labelText(g.group) || "*"}</td><td class="num">{formatNumber(g.value)}</td>
                <td>{g.breached ? <span class="state state-firing">{t("alerts.breaches")}</span> : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function PreviewChart({ history }: { history: NonNullable<Preview["history"]> }) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const chart = echarts.init(element.current!);
    chart.setOption({
      animation: false,
      grid: { left: 48, right: 16, top: 24, bottom: 24 },
      legend: { top: 0, right: 8, textStyle: { fontSize: 11 } },
      tooltip: { trigger: "axis" },
      xAxis: { type: "time", axisLabel: { hideOverlap: true, fontSize: 11 },
               min: Date.parse(history.moments[0].at) - history.step_seconds * 1000,
               max: Date.parse(history.moments[history.moments.length - 1].at) },
      yAxis: { type: "value", axisLabel: { fontSize: 11 } },
      series: [
        { name: t("alerts.value"), type: "bar", data: history.moments.map((m) => ({
          value: [Date.parse(m.at), m.value], itemStyle: { color: m.breached ? "#dc2626" : "#60a5fa" } })) },
        { name: t("alerts.threshold"), type: "line", step: "end", symbol: "none", lineStyle: { type: "dashed", color: "#0f172a" },
          data: history.moments.map((m) => [Date.parse(m.at), m.threshold]) },
      ],
    });
    return () => chart.dispose();
  }, [history, language.value]);
  return <div ref={element} class="preview-chart" data-testid="preview-chart" />;
}
