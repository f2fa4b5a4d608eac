// Relative ranges (the last 15 minutes … 30 days, all time) and absolute ones typed as times.

import { useEffect, useState } from "preact/hooks";
import { t } from "../i18n";
import { en, type MessageKey } from "../locales/en";
import { formatTime, PRESETS, rangeProblem, type TimeRange } from "../timerange";

export function rangeLabel(range: TimeRange): string {
  if (range.to === "now" && range.from === "") return t("time.all");
  const preset = /^now-(\d+[smhdw])$/.exec(range.from);
  if (range.to === "now" && preset && `time.last.${preset[1]}` in en) return t(`time.last.${preset[1]}` as MessageKey);
  const show = (bound: string) => (bound.startsWith("now") ? bound.replace("now", t("time.now"))
    : bound === "" ? "…" : formatTime(bound, false));
  return `${show(range.from)} → ${show(range.to)}`;
}

export function TimePicker({ range, onChange }: { range: TimeRange; onChange: (range: TimeRange) => void }) {
  const [open, setOpen] = useState(false);
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.to);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => { setFrom(range.from); setTo(range.to); }, [range.from, range.to]);

  function apply(next: TimeRange) {
    const wrong = rangeProblem(next, new Date());
    if (wrong) {
      setProblem(t(`time.problem.${wrong}` as MessageKey));
      return;
    }
    setProblem(null);
    setOpen(false);
    onChange(next);
  }

  return (
    <div class="time-picker">
      <button data-testid="time-button" onClick={() => setOpen(!open)} aria-expanded={open}>{rangeLabel(range)} ▾</button>
      {open && (
        <div class="time-menu" data-testid="time-menu">
          <div class="time-presets">
            {PRESETS.map((p) => (
              <button key={p} onClick={() => apply({ from: `now-${p}`, to: "now" })}>{t(`time.last.${p}` as MessageKey)}</button>
            ))}
            <button onClick={() => apply({ from: "", to: "now" })}>{t("time.all")}</button>
          </div>
          <form class="time-absolute" onSubmit={(e) => { e.preventDefault(); apply({ from: from.trim(), to: to.trim() || "now" }); }}>
            <label>{t("time.from")}<input data-testid="time-from" value={from} placeholder="2026-05-06 18:00:00"
                                            onInput={(e) => setFrom(e.currentTarget.value)} /></label>
            <label>{t("time.to")}<input data-testid="time-to" value={to} placeholder="now"
                                          onInput={(e) => setTo(e.currentTarget.value)} /></label>
            <p class="hint">{t("time.hint")}</p>
            {problem && <p class="error" role="alert">{problem}</p>}
            <button class="primary" type="submit">{t("time.apply")}</button>
          </form>
        </div>
      )}
    </div>
  );
}
