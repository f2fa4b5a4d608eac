// The alerts now (pending, firing, resolved), each group with its value against the threshold,
// and the history of state changes and notifications, newest first. Refreshed every 30 s.

import { useEffect } from "preact/hooks";
import type { AlertEvent, AlertState, Labels } from "../../api";
import { formatNumber, t } from "../../i18n";
import { navigate } from "../../route";
import { formatTime } from "../../timerange";
import { useApi } from "../../useApi";

const REFRESH_MS = 30_000;

export const labelText = (labels: Labels) => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(" ");

export function StateBadge({ state }: { state: string }) {
  return <span class={`state state-${state}`}>{state}</span>;
}

export function AlertList() {
  const alerts = useApi<{ alerts: AlertState[] }>("/api/v1/alerts");
  const history = useApi<{ events: AlertEvent[] }>("/api/v1/alerts/history", { limit: 100 });
  useEffect(() => {
    const timer = setInterval(() => { alerts.reload(); history.reload(); }, REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  const rows = alerts.data?.alerts ?? [];
  return (
    <>
      <section class="card">
        <header class="card-head">
          <h2>{t("alerts.now")}</h2>
          <button data-testid="alerts-refresh" onClick={() => { alerts.reload(); history.reload(); }}>{t("common.refresh")}</button>
        </header>
        {alerts.error && <p class="error" role="alert">{alerts.error.message}</p>}
        {alerts.data && rows.length === 0 && <p class="empty" data-testid="no-alerts">{t("alerts.none")}</p>}
        {rows.length > 0 && (
          <table class="grid" data-testid="alert-table">
            <thead><tr><th>{t("alerts.state")}</th><th>{t("alerts.rule")}</th><th>{t("alerts.labels")}</th>
              <th>{t("alerts.value")}</th><th>{t("alerts.since")}</th><th>{t("alerts.lastNotified")}</th><th /></tr></thead>
            <tbody>
              {rows.map((a) => (
                <tr key={`${a.rule_id}-${a.group_key}`} data-testid="alert-row" data-state={a.state} data-rule={a.rule}>
                  <td><StateBadge state={a.state} /></td>
                  <td>{a.rule}</td>
                  <td class="mono">{labelText(a.labels)}</td>
                  <td class="num">{formatNumber(a.value)} / {formatNumber(a.threshold)}</td>
                  <td class="col-time">{formatTime(a.since)}</td>
                  <td class="col-time">{a.last_notified ? formatTime(a.last_notified) : "—"}</td>
                  <td>{a.state !== "ok" && (
                    <button class="link" data-testid="alert-root-cause"
                            onClick={() => navigate("/anomalies", { alert: a.rule_id, group: a.group_key })}>
                      {t("alerts.rootCause")}</button>)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section class="card">
        <header class="card-head"><h2>{t("alerts.history")}</h2></header>
        {history.data && history.data.events.length === 0 && <p class="empty">{t("alerts.noHistory")}</p>}
        {history.data && history.data.events.length > 0 && (
          <table class="grid" data-testid="history-table">
            <thead><tr><th>{t("field.ts")}</th><th>{t("alerts.rule")}</th><th>{t("alerts.labels")}</th>
              <th>{t("alerts.event")}</th><th>{t("alerts.value")}</th></tr></thead>
            <tbody>
              {history.data.events.map((e) => (
                <tr key={e.id} data-testid="history-row">
                  <td class="col-time">{formatTime(e.time)}</td>
                  <td>{e.rule}</td>
                  <td class="mono">{labelText(e.labels)}</td>
                  <td>{e.kind === "state"
                    ? <>{e.previous ?? "—"} → <StateBadge state={e.state ?? ""} /></>
                    : <span class={e.status === "failed" ? "error" : ""}>
                        {t("alerts.notification", { channel: e.channel ?? "", status: e.status ?? "" })}
                        {e.error ? `: ${e.error}` : ""}</span>}</td>
                  <td class="num">{e.value === null ? "" : `${formatNumber(e.value)} / ${formatNumber(e.threshold ?? 0)}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
