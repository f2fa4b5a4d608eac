// Time ranges as the URL keeps them: `from` and `to` are "now", "now-15m" (relative, moving with
// the clock) or an ISO time (absolute, e.g. after zooming the histogram). An empty `from` is the
// beginning of the data.

export type TimeRange = { from: string; to: string };

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const RELATIVE = /^now(?:-(\d+)([smhdw]))?$/;

export const PRESETS = ["15m", "1h", "6h", "24h", "7d", "30d"] as const;
export const DEFAULT_RANGE: TimeRange = { from: "now-24h", to: "now" };

/** The moment a bound names, or null when the text is not one. */
export function parseMoment(text: string, now: Date): Date | null {
  const relative = RELATIVE.exec(text.trim());
  if (relative) {
    const seconds = relative[1] ? Number(relative[1]) * UNITS[relative[2]] : 0;
    return new Date(now.getTime() - seconds * 1000);
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim())) return null;
  // A time without a zone is UTC, as everywhere in Venus.
  const iso = /[zZ]|[+-]\d{2}:?\d{2}$/.test(text.trim()) ? text.trim() : `${text.trim().replace(" ", "T")}Z`;
  const moment = new Date(iso);
  return Number.isNaN(moment.getTime()) ? null : moment;
}

/** What a range is wrong about, or null: a bound that does not parse, or an end before the start. */
export function rangeProblem(range: TimeRange, now: Date): "from" | "to" | "order" | null {
  const since = range.from === "" ? null : parseMoment(range.from, now);
  const until = parseMoment(range.to, now);
  if (range.from !== "" && since === null) return "from";
  if (until === null) return "to";
  if (since !== null && since >= until) return "order";
  return null;
}

/** The API's since/until for a range, resolved now: ISO times, none for an open start. */
export function rangeParams(range: TimeRange, now: Date): { since?: string; until?: string } {
  const since = range.from === "" ? null : parseMoment(range.from, now);
  const until = parseMoment(range.to, now);
  return { ...(since ? { since: since.toISOString() } : {}), ...(until ? { until: until.toISOString() } : {}) };
}

/** A zoomed-in range: absolute, to the millisecond. */
export function absoluteRange(start: Date, end: Date): TimeRange {
  return { from: start.toISOString(), to: end.toISOString() };
}

/** "2026-05-06 18:00:00.123" in UTC. */
export function formatTime(iso: string, withMillis = true): string {
  const text = iso.replace("T", " ").replace("Z", "");
  const [day, time = ""] = text.split(" ");
  const [clock, fraction = ""] = time.split(".");
  return withMillis ? `${day} ${clock}.${(fraction + "000").slice(0, 3)}` : `${day} ${clock}`;
}
