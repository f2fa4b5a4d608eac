import { describe, expect, it } from "vitest";
import { type CountSeries, silentHosts } from "./summaries";

const host = (name: string, counts: number[]): CountSeries => ({
  key: { host: name }, count: counts.reduce((a, b) => a + b, 0),
  buckets: counts.map((count, i) => ({ time: `2026-01-01T0${i}:00:00Z`, count })),
});

describe("silentHosts", () => {
  it("names the hosts with no line in the last buckets, the longest silent first", () => {
    const rows = [host("cmp1", [5, 5, 5, 5]), host("cmp2", [5, 5, 0, 0]), host("cmp3", [5, 0, 0, 0])];
    expect(silentHosts(rows, 2)).toEqual([
      { host: "cmp3", lastSeen: "2026-01-01T00:00:00Z", count: 5 },
      { host: "cmp2", lastSeen: "2026-01-01T01:00:00Z", count: 10 },
    ]);
  });
  it("does not count a host that logged in the quiet stretch, however little", () => {
    expect(silentHosts([host("cmp1", [9, 0, 0, 1])], 2)).toEqual([]);
  });
});
