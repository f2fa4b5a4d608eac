import { describe, expect, it } from "vitest";
import { absoluteRange, formatTime, parseMoment, rangeParams, rangeProblem } from "./timerange";

const NOW = new Date("2026-05-06T18:00:00Z");

describe("time ranges", () => {
  it("reads relative bounds against now", () => {
    expect(parseMoment("now-15m", NOW)?.toISOString()).toBe("2026-05-06T17:45:00.000Z");
    expect(parseMoment("now", NOW)?.toISOString()).toBe("2026-05-06T18:00:00.000Z");
  });
  it("reads an ISO time without a zone as UTC", () => {
    expect(parseMoment("2026-05-06 10:00:00", NOW)?.toISOString()).toBe("2026-05-06T10:00:00.000Z");
    expect(parseMoment("2026-05-06T10:00:00+08:00", NOW)?.toISOString()).toBe("2026-05-06T02:00:00.000Z");
  });
  it("refuses what is not a time", () => {
    expect(parseMoment("yesterday", NOW)).toBeNull();
    expect(parseMoment("now-5 fortnights", NOW)).toBeNull();
  });
  it("names what is wrong with a range", () => {
    expect(rangeProblem({ from: "soon", to: "now" }, NOW)).toBe("from");
    expect(rangeProblem({ from: "now-1h", to: "later" }, NOW)).toBe("to");
    expect(rangeProblem({ from: "2026-05-07", to: "2026-05-06" }, NOW)).toBe("order");
    expect(rangeProblem({ from: "", to: "now" }, NOW)).toBeNull();
  });
  it("gives the API ISO bounds, none for an open start", () => {
    expect(rangeParams({ from: "now-1h", to: "now" }, NOW)).toEqual({
      since: "2026-05-06T17:00:00.000Z", until: "2026-05-06T18:00:00.000Z" });
    expect(rangeParams({ from: "", to: "now" }, NOW)).toEqual({ until: "2026-05-06T18:00:00.000Z" });
  });
  it("makes an absolute range of a zoomed stretch", () => {
    expect(absoluteRange(new Date(0), NOW)).toEqual({ from: "1970-01-01T00:00:00.000Z", to: "2026-05-06T18:00:00.000Z" });
  });
  it("formats times in UTC with milliseconds", () => {
    expect(formatTime("2026-05-06T18:00:00.123456Z")).toBe("2026-05-06 18:00:00.123");
    expect(formatTime("2026-05-06T18:00:00Z")).toBe("2026-05-06 18:00:00.000");
  });
});
