import { describe, expect, it } from "vitest";
import type { Span } from "../../api";
import { formatDuration, spanBar, spanDepths } from "./waterfall";

const span = (request_id: string, parent: string | null, start = "2026-01-01T00:00:00Z", duration_ms = 0): Span => ({
  service: "nova", program: "nova-api", host: "ctl1", request_id, parent, start, end: start, duration_ms,
  line_count: 1, error_count: 0, first_error: null, line_ids: [],
});

describe("spanDepths", () => {
  it("puts the span that started the request at 0 and the spans it called at 1", () => {
    expect(spanDepths([span("a", null), span("b", "a"), span("c", "a")])).toEqual([0, 1, 1]);
  });
  it("nests a span under the span whose request id is its parent, however deep", () => {
    expect(spanDepths([span("a", null), span("b", "a"), span("c", "b")])).toEqual([0, 1, 2]);
  });
  it("leaves a span whose parent is not in the chain at 0", () => {
    expect(spanDepths([span("b", "gone"), span("c", "b")])).toEqual([0, 1]);
  });
  it("stops at a loop of parents instead of recursing for ever", () => {
    expect(spanDepths([span("a", "b"), span("b", "a")])).toEqual([1, 1]);
  });
});

describe("spanBar", () => {
  it("places a span by its start and duration within the chain", () => {
    expect(spanBar(span("a", null, "2026-01-01T00:00:01Z", 2000), "2026-01-01T00:00:00Z", 4000))
      .toEqual({ left: 25, width: 50 });
  });
  it("gives an instant a visible sliver", () => {
    expect(spanBar(span("a", null, "2026-01-01T00:00:04Z", 0), "2026-01-01T00:00:00Z", 4000))
      .toEqual({ left: 99.6, width: 0.4 });
    expect(spanBar(span("a", null, "2026-01-01T00:00:00Z", 0), "2026-01-01T00:00:00Z", 4000).width).toBe(0.4);
  });
});

describe("formatDuration", () => {
  it("writes milliseconds, seconds and minutes", () => {
    expect([formatDuration(848.07), formatDuration(3618), formatDuration(12_500), formatDuration(125_000)])
      .toEqual(["848 ms", "3.62 s", "12.5 s", "2 min 5 s"]);
  });
});
