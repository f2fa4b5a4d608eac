// What the overview reads out of the API's counts: hosts that went quiet.

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
