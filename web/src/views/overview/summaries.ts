// What the overview reads out of the API's counts: hosts that went quiet, a sparkline's shape.

export type CountSeries = { key: Record<string, string>; count: number; buckets: { time: string; count: number }[] };

/** The hosts that logged in the range but not in its last `quietBuckets` buckets: each with the
 * start of the last bucket it logged in, the quietest (longest silent) first. */
export function silentHosts(rows: CountSeries[], quietBuckets: number): { host: string; lastSeen: string; count: number }[] {
  const out: { host: string; lastSeen: string; count: number; at: number }[] = [];
  for (const row of rows) {
    const n = row.buckets.length;
    const last = row.buckets.map((b) => b.count > 0).lastIndexOf(true);
    if (last >= 0 && last < n - quietBuckets) {
      out.push({ host: row.key.host, lastSeen: row.buckets[last].time, count: row.count, at: last });
    }
  }
  return out.sort((a, b) => a.at - b.at || a.host.localeCompare(b.host)).map(({ at: _, ...rest }) => rest);
}

/** The SVG path of a sparkline of `values` in a `width` × `height` box (the highest value at
 * the top; all zero is a flat line at the bottom). */
export function sparkPath(values: number[], width: number, height: number): string {
  if (values.length === 0) return "";
  const top = Math.max(...values, 0);
  const x = (i: number) => (values.length === 1 ? width / 2 : (i / (values.length - 1)) * width);
  const y = (v: number) => (top === 0 ? height : height - (v / top) * height);
  return values.map((v, i) => `${i ? "L" : "M"}${round(x(i))},${round(y(v))}`).join(" ");
}

const round = (n: number) => Math.round(n * 10) / 10;
