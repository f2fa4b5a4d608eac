// Where each span of a call chain sits in the waterfall: how deep it nests and which stretch of
// the request's time its bar covers.

import type { Span } from "../../api";

/** Each span's depth: 0 for a span no other span of the chain started, else one more than the
 * span whose request id is its parent. */
export function spanDepths(spans: Span[]): number[] {
  const byRequest = new Map<string, number>();
  spans.forEach((s, i) => { if (!byRequest.has(s.request_id)) byRequest.set(s.request_id, i); });
  const depth = (i: number, seen: Set<number>): number => {
    const parent = spans[i].parent;
    const at = parent ? byRequest.get(parent) : undefined;
    if (at === undefined || at === i || seen.has(at)) return 0;
    seen.add(at);
    return depth(at, seen) + 1;
  };
  return spans.map((_, i) => depth(i, new Set([i])));
}

/** A span's bar as percentages of the chain's duration. A span of one instant still gets a
 * sliver, so it can be seen and clicked. */
export function spanBar(span: Span, chainStart: string, chainMs: number): { left: number; width: number } {
  const total = Math.max(chainMs, 1);
  const width = Math.min(100, Math.max(0.4, (span.duration_ms / total) * 100));
  const left = Math.min(100 - width, Math.max(0, ((Date.parse(span.start) - Date.parse(chainStart)) / total) * 100));
  return { left, width };
}

/** A duration as people read it: 850 ms, 3.6 s, 2 min 5 s. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
}
