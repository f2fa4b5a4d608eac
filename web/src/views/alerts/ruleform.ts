// An alert rule as the editor's form holds it (text in inputs) and back. The fields the form does
// not show (labels, scheduled thresholds, time zone, samples, signature…) ride along untouched,
// so editing a rule in the console never drops what the API or the CLI set.

import type { AlertRule, AnomalyKind } from "../../api";

export const ANOMALY_KINDS: AnomalyKind[] = ["new_template", "spike", "drop"];

export type RuleForm = {
  name: string; description: string; query: string; condition: AlertRule["condition"]; op: AlertRule["op"];
  threshold: string; numerator: string; window: string; lookback: string; group_by: string; for: string;
  severity: AlertRule["severity"]; channels: string[]; renotify: string; notify_resolved: boolean; enabled: boolean;
  kinds: AnomalyKind[]; rest: Record<string, unknown>;
};

const SHOWN = new Set(["name", "description", "query", "condition", "op", "threshold", "numerator", "window", "lookback",
  "group_by", "for", "severity", "channels", "renotify", "notify_resolved", "enabled", "kinds"]);
const READ_ONLY = new Set(["id", "states", "create_time", "update_time"]);

/** Seconds as the shortest exact duration text: 300 → 5m, 86400 → 1d, 90 → 90s. */
export function durationText(seconds: number): string {
  for (const [unit, size] of [["w", 604800], ["d", 86400], ["h", 3600], ["m", 60]] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

export function formFromRule(rule?: AlertRule): RuleForm {
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rule ?? {})) if (!SHOWN.has(key) && !READ_ONLY.has(key)) rest[key] = value;
  return {
    name: rule?.name ?? "", description: rule?.description ?? "", query: rule?.query ?? "",
    condition: rule?.condition ?? "count", op: rule?.op ?? "above", threshold: String(rule?.threshold ?? 0),
    numerator: rule?.numerator ?? "", window: durationText(rule?.window ?? 300), lookback: durationText(rule?.lookback ?? 86400),
    group_by: (rule?.group_by ?? []).join(", "), for: durationText(rule?.for ?? 0), severity: rule?.severity ?? "warning",
    channels: rule?.channels ?? [], renotify: durationText(rule?.renotify ?? 14400),
    notify_resolved: rule?.notify_resolved ?? true, enabled: rule?.enabled ?? true,
    kinds: rule?.kinds ?? ANOMALY_KINDS, rest,
  };
}

/** The request body for the form: numbers where the API wants numbers (a threshold that is not
 * one is sent as typed, so the API names the field), durations as typed (the API reads 5m). */
export function ruleFromForm(form: RuleForm): Record<string, unknown> {
  const threshold = form.threshold.trim() === "" ? Number.NaN : Number(form.threshold);
  const body: Record<string, unknown> = {
    ...form.rest, name: form.name.trim(), description: form.description, query: form.query,
    condition: form.condition, op: form.op, threshold: Number.isFinite(threshold) ? threshold : form.threshold,
    window: form.window.trim(), lookback: form.lookback.trim(), for: form.for.trim(), severity: form.severity,
    group_by: form.group_by.split(",").map((f) => f.trim()).filter(Boolean), channels: form.channels,
    renotify: form.renotify.trim(), notify_resolved: form.notify_resolved, enabled: form.enabled,
  };
  if (form.condition === "ratio") body.numerator = form.numerator;
  else delete body.numerator;
  if (form.condition === "anomaly") Object.assign(body, { kinds: form.kinds, op: "above" });
  else delete body.kinds;
  return body;
}
