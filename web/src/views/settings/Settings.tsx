// Settings: the store (size on disk, rows), the runtime settings (retention and the rest of the
// custom config) with their defaults and help, and the scheduled tasks: their state, last run,
// schedule, switching them on or off, and running one now.

import { useEffect, useState } from "preact/hooks";
import { api, asApiError, ApiError, type Setting, type Task } from "../../api";
import { formatNumber, t } from "../../i18n";
import { formatTime } from "../../timerange";
import { useApi } from "../../useApi";

type Stats = { rows: number; bytes_on_disk: number; bytes_uncompressed: number; retention_days: number };
type Run = { outcome: string; duration: number; error: string | null; result: unknown };

export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function Settings() {
  const stats = useApi<Stats>("/api/v1/stats");
  return (
    <div class="page settings">
      <main class="page-main">
        <section class="card" data-testid="storage">
          <header class="card-head"><h2>{t("settings.storage")}</h2></header>
          {stats.data && (
            <p class="figures">
              <span>{t("settings.rows", { n: formatNumber(stats.data.rows) })}</span>
              <span>{t("settings.onDisk", { size: formatBytes(stats.data.bytes_on_disk) })}</span>
              <span>{t("settings.compression", { ratio: (stats.data.bytes_uncompressed / Math.max(stats.data.bytes_on_disk, 1)).toFixed(1) })}</span>
            </p>
          )}
        </section>
        <ConfigTable onSaved={stats.reload} />
        <TaskTable />
      </main>
    </div>
  );
}

function ConfigTable({ onSaved }: { onSaved: () => void }) {
  const config = useApi<{ settings: Setting[] }>("/api/v1/config");
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, ApiError | null>>({});
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => {
    if (config.data) setValues(Object.fromEntries(config.data.settings.map((s) => [s.key, s.value])));
  }, [config.data]);
  async function save(key: string) {
    try {
      await api(`/api/v1/config/${key}`, {}, { method: "PUT", json: { value: values[key] } });
      setErrors({ ...errors, [key]: null });
      setSaved(key);
      config.reload();
      onSaved();
    } catch (e) {
      setErrors({ ...errors, [key]: asApiError(e) });
      setSaved(null);
    }
  }
  return (
    <section class="card" data-testid="config">
      <header class="card-head"><h2>{t("settings.config")}</h2></header>
      {config.error && <p class="error" role="alert">{config.error.message}</p>}
      <table class="grid">
        <thead><tr><th>{t("settings.key")}</th><th>{t("settings.value")}</th><th>{t("settings.default")}</th><th /></tr></thead>
        <tbody>
          {(config.data?.settings ?? []).map((s) => (
            <tr key={s.key} data-testid="config-row" data-key={s.key}>
              <td><code>{s.key}</code><div class="hint">{s.help}</div></td>
              <td>
                <form class="inline" onSubmit={(e) => { e.preventDefault(); save(s.key); }}>
                  <input class={errors[s.key] ? "mono invalid" : "mono"} value={values[s.key] ?? ""} aria-label={s.key}
                         data-testid={`config-${s.key}`} onInput={(e) => setValues({ ...values, [s.key]: e.currentTarget.value })} />
                  <button type="submit" disabled={values[s.key] === s.value}>{t("common.save")}</button>
                </form>
                {errors[s.key] && <div class="error" role="alert">{errors[s.key]!.message}</div>}
                {saved === s.key && !errors[s.key] && <div class="ok" data-testid="config-saved">{t("settings.saved")}</div>}
              </td>
              <td class="mono">{s.default}</td>
              <td>{values[s.key] !== s.default && (
                <button onClick={() => setValues({ ...values, [s.key]: s.default })}>{t("settings.useDefault")}</button>)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function TaskTable() {
  const tasks = useApi<{ node: string; tasks: Task[] }>("/api/v1/tasks");
  const [runs, setRuns] = useState<Record<string, Run | ApiError>>({});
  const [running, setRunning] = useState<string | null>(null);
  async function runNow(name: string) {
    setRunning(name);
    try {
      const answer = await api<{ run: Run }>(`/api/v1/tasks/${name}/run`, {}, { method: "POST" });
      setRuns({ ...runs, [name]: answer.run });
    } catch (e) {
      setRuns({ ...runs, [name]: asApiError(e) });
    } finally {
      setRunning(null);
      tasks.reload();
    }
  }
  const toggle = (task: Task, enabled: boolean) => api(`/api/v1/tasks/${task.name}`, {}, { method: "PATCH", json: { enabled } })
    .then(() => tasks.reload()).catch((e) => setRuns({ ...runs, [task.name]: asApiError(e) }));
  return (
    <section class="card" data-testid="tasks">
      <header class="card-head"><h2>{t("settings.tasks")}</h2>{tasks.data && <span class="muted">{t("settings.node", { node: tasks.data.node })}</span>}</header>
      {tasks.error && <p class="error" role="alert">{tasks.error.message}</p>}
      <table class="grid">
        <thead><tr><th>{t("alerts.enabled")}</th><th>{t("settings.task")}</th><th>{t("settings.schedule")}</th>
          <th>{t("settings.lastRun")}</th><th>{t("settings.nextRun")}</th><th /></tr></thead>
        <tbody>
          {(tasks.data?.tasks ?? []).map((task) => {
            const run = runs[task.name];
            return (
              <tr key={task.name} data-testid="task-row" data-task={task.name}>
                <td><input type="checkbox" checked={task.enabled} aria-label={t("alerts.enabled")}
                           onChange={(e) => toggle(task, e.currentTarget.checked)} /></td>
                <td><code>{task.name}</code><div class="hint">{task.description}</div></td>
                <td class="mono">{task.schedule}</td>
                <td>{task.last_run ? (
                  <>
                    <span class={task.last_outcome === "ok" ? "ok" : "error"}>{task.last_outcome}</span>{" "}
                    <span class="col-time">{formatTime(task.last_run)}</span>
                    {task.last_duration !== null && <span class="muted"> · {task.last_duration.toFixed(3)} s</span>}
                    {task.last_error && <div class="error">{task.last_error}</div>}
                  </>
                ) : <span class="muted">{t("settings.never")}</span>}
                  {task.running && <div class="muted">{t("settings.runningOn", { node: task.running_on ?? "" })}</div>}</td>
                <td class="col-time">{task.next_run ? formatTime(task.next_run) : "—"}</td>
                <td class="actions">
                  <button data-testid="run-task" disabled={running !== null} onClick={() => runNow(task.name)}>
                    {running === task.name ? t("settings.running") : t("settings.runNow")}</button>
                  {run && (
                    <div data-testid="task-result" class={run instanceof ApiError || run.outcome !== "ok" ? "error" : "ok"}>
                      {run instanceof ApiError ? run.message
                        : t("settings.ran", { outcome: run.outcome, seconds: run.duration.toFixed(3) }) + (run.error ? `: ${run.error}` : "")}
                    </div>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
