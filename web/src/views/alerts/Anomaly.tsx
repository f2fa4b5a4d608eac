// The /v1 keyword anomaly rules (a keyword in one module's file or system logs) and the records
// they wrote: how many lines matched in a run, the first of them, a link to it in Discover.

import { useState } from "preact/hooks";
import { api, asApiError, ApiError, type AnomalyRecord, type AnomalyRule } from "../../api";
import { formatNumber, t } from "../../i18n";
import { navigate } from "../../route";
import { formatTime } from "../../timerange";
import { useApi } from "../../useApi";
import { FormRow } from "./RuleEditor";

type Draft = { title: string; keyword: string; module: string; log_type: "flog" | "slog"; match_case: boolean; desc: string };
const EMPTY: Draft = { title: "", keyword: "", module: "", log_type: "flog", match_case: true, desc: "" };

export function Anomaly() {
  const rules = useApi<{ rules: AnomalyRule[] }>("/api/v1/anomaly/rules");
  const records = useApi<{ records: AnomalyRecord[] }>("/api/v1/anomaly/records", { limit: 100 });
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [error, setError] = useState<ApiError | null>(null);
  const act = (work: Promise<unknown>, after?: () => void) => work
    .then(() => { setError(null); after?.(); rules.reload(); records.reload(); }).catch((e) => setError(asApiError(e)));
  const input = (key: "title" | "keyword" | "module" | "desc") => ({
    value: draft[key], "data-testid": `anomaly-${key}`, onInput: (e: Event) => setDraft({ ...draft, [key]: (e.currentTarget as HTMLInputElement).value }),
  });

  return (
    <>
      <section class="card">
        <header class="card-head"><h2>{t("anomaly.new")}</h2></header>
        <form class="form-grid" onSubmit={(e) => { e.preventDefault(); act(api("/api/v1/anomaly/rules", {}, { method: "POST", json: draft }), () => setDraft(EMPTY)); }}>
          <FormRow label={t("anomaly.title")} name="title" error={error}><input {...input("title")} required /></FormRow>
          <FormRow label={t("anomaly.keyword")} name="keyword" error={error}><input class="mono" {...input("keyword")} required /></FormRow>
          <FormRow label={t("anomaly.module")} name="module" error={error} hint={t("anomaly.moduleHint")}><input {...input("module")} required /></FormRow>
          <FormRow label={t("anomaly.logType")} name="log_type" error={error}>
            <select value={draft.log_type} onChange={(e) => setDraft({ ...draft, log_type: e.currentTarget.value as Draft["log_type"] })}>
              <option value="flog">{t("anomaly.flog")}</option><option value="slog">{t("anomaly.slog")}</option>
            </select></FormRow>
          <FormRow label={t("alerts.description")} name="desc" error={error}><input {...input("desc")} /></FormRow>
          <label class="check"><input type="checkbox" checked={draft.match_case}
                                      onChange={(e) => setDraft({ ...draft, match_case: e.currentTarget.checked })} />{t("anomaly.matchCase")}</label>
          {error && !["title", "keyword", "module", "log_type", "desc"].includes(error.field ?? "") && <p class="error" role="alert">{error.message}</p>}
          <div class="form-actions"><button class="primary" type="submit" data-testid="create-anomaly-rule">{t("common.create")}</button></div>
        </form>
      </section>
      <section class="card">
        <header class="card-head"><h2>{t("anomaly.rules")}</h2></header>
        {rules.data && rules.data.rules.length === 0 && <p class="empty">{t("anomaly.noRules")}</p>}
        {rules.data && rules.data.rules.length > 0 && (
          <table class="grid" data-testid="anomaly-rule-table">
            <thead><tr><th>{t("alerts.enabled")}</th><th>{t("anomaly.title")}</th><th>{t("anomaly.keyword")}</th>
              <th>{t("anomaly.module")}</th><th>{t("anomaly.logType")}</th><th /></tr></thead>
            <tbody>
              {rules.data.rules.map((r) => (
                <tr key={r.id} data-testid="anomaly-rule-row">
                  <td><input type="checkbox" checked={r.enabled} aria-label={t("alerts.enabled")} onChange={(e) =>
                    act(api(`/api/v1/anomaly/rules/${r.id}`, {}, { method: "PATCH", json: { enabled: e.currentTarget.checked } }))} /></td>
                  <td>{r.title}</td><td class="mono">{r.keyword}</td><td>{r.module}</td>
                  <td>{r.log_type === "flog" ? t("anomaly.flog") : t("anomaly.slog")}</td>
                  <td><button onClick={() => act(api(`/api/v1/anomaly/rules/${r.id}`, {}, { method: "DELETE" }))}>{t("common.delete")}</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section class="card">
        <header class="card-head"><h2>{t("anomaly.records")}</h2></header>
        {records.data && records.data.records.length === 0 && <p class="empty">{t("anomaly.noRecords")}</p>}
        {records.data && records.data.records.length > 0 && (
          <table class="grid" data-testid="anomaly-record-table">
            <thead><tr><th>{t("alerts.from")}</th><th>{t("alerts.until")}</th><th>{t("anomaly.title")}</th>
              <th>{t("anomaly.count")}</th><th>{t("anomaly.firstLine")}</th><th /></tr></thead>
            <tbody>
              {records.data.records.map((r) => (
                <tr key={r.id} data-testid="anomaly-record-row">
                  <td class="col-time">{formatTime(r.start_time)}</td><td class="col-time">{formatTime(r.end_time)}</td>
                  <td>{r.title}</td><td class="num">{formatNumber(r.count)}</td>
                  <td class="col-message">{r.first_line.split("\n")[0]}</td>
                  <td class="actions">
                    {r.first_line_id && <button onClick={() => navigate("/discover", { from: "all", context: r.first_line_id })}>
                      {t("discover.context")}</button>}
                    <button onClick={() => act(api(`/api/v1/anomaly/records/${r.id}`, {}, { method: "DELETE" }))}>{t("common.delete")}</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
