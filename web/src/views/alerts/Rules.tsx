// The alert rules: what each watches, whether it is on (a click switches it), how many of its
// groups fire, and editing or deleting it.

import { useState } from "preact/hooks";
import { api, asApiError, ApiError, type AlertRule } from "../../api";
import { t } from "../../i18n";
import { navigate } from "../../route";
import { useApi } from "../../useApi";
import { kindText } from "../anomalies/kinds";
import { ANOMALY_KINDS, durationText } from "./ruleform";

/** What a rule watches, in one line: "count above 5 in 5m, per host". */
export function ruleSummary(rule: AlertRule): string {
  const per = rule.group_by.length ? `, ${t("alerts.per", { fields: rule.group_by.join(", ") })}` : "";
  if (rule.condition === "absence") return `${t("alerts.cond.absence", { window: durationText(rule.window) })}${per}`;
  if (rule.condition === "anomaly") {
    const kinds = (rule.kinds ?? ANOMALY_KINDS).map(kindText).join(", ");
    return `${t("alerts.cond.anomaly")} ${t("alerts.op.above")} ${rule.threshold} · ${durationText(rule.window)} (${kinds})${per}`;
  }
  return `${t(`alerts.cond.${rule.condition}`)} ${t(`alerts.op.${rule.op}`)} ${rule.threshold} · ${durationText(rule.window)}${per}`;
}

export function Rules() {
  const rules = useApi<{ rules: AlertRule[] }>("/api/v1/alerts/rules");
  const [error, setError] = useState<ApiError | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const act = (work: Promise<unknown>) => work.then(() => { setError(null); rules.reload(); }).catch((e) => setError(asApiError(e)));
  return (
    <section class="card">
      <header class="card-head">
        <h2>{t("alerts.tab.rules")}</h2>
        <button class="primary" data-testid="new-rule" onClick={() => navigate("/alerts", { tab: "rules", rule: "new" })}>
          {t("alerts.newRule")}</button>
      </header>
      {(error ?? rules.error) && <p class="error" role="alert">{(error ?? rules.error)!.message}</p>}
      {rules.data && rules.data.rules.length === 0 && <p class="empty">{t("alerts.noRules")}</p>}
      {rules.data && rules.data.rules.length > 0 && (
        <table class="grid" data-testid="rule-table">
          <thead><tr><th>{t("alerts.enabled")}</th><th>{t("alerts.name")}</th><th>{t("alerts.query")}</th>
            <th>{t("alerts.condition")}</th><th>{t("alerts.severity")}</th><th>{t("alerts.firing")}</th><th /></tr></thead>
          <tbody>
            {rules.data.rules.map((rule) => (
              <tr key={rule.id} data-testid="rule-row" data-name={rule.name}>
                <td><input type="checkbox" checked={rule.enabled} aria-label={t("alerts.enabled")} data-testid="rule-enabled"
                           onChange={(e) => act(api(`/api/v1/alerts/rules/${rule.id}`, {},
                             { method: "PATCH", json: { enabled: e.currentTarget.checked } }))} /></td>
                <td><a href={`/alerts?tab=rules&rule=${rule.id}`} onClick={(e) => {
                  e.preventDefault(); navigate("/alerts", { tab: "rules", rule: rule.id });
                }}>{rule.name}</a></td>
                <td class="mono">{rule.query || "*"}</td>
                <td>{ruleSummary(rule)}</td>
                <td><span class={`state state-${rule.severity}`}>{rule.severity}</span></td>
                <td class="num">{rule.states?.firing ?? 0}</td>
                <td class="actions">
                  {deleting === rule.id ? (
                    <>
                      <button class="danger" data-testid="confirm-delete" onClick={() => act(
                        api(`/api/v1/alerts/rules/${rule.id}`, {}, { method: "DELETE" }))}>{t("common.confirmDelete")}</button>
                      <button onClick={() => setDeleting(null)}>{t("common.cancel")}</button>
                    </>
                  ) : <button data-testid="delete-rule" onClick={() => setDeleting(rule.id)}>{t("common.delete")}</button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
