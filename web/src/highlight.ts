// Marking in a line what the query looked for. The server says which terms a line must hold
// (/api/v1/query/check); matching here only decides where to draw the marks, case-insensitively
// as the search itself matches words.

export type HighlightTerm = { kind: "word" | "phrase" | "prefix" | "wildcard" | "regex"; text: string };
export type Segment = { text: string; hit: boolean };

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function pattern(term: HighlightTerm): RegExp | null {
  try {
    switch (term.kind) {
      case "regex":
        return new RegExp(term.text.replace(/^\(\?i\)/, ""), "gi");
      case "prefix":
        return new RegExp(`(?<![A-Za-z0-9])${escape(term.text)}[A-Za-z0-9_]*`, "gi");
      case "wildcard":
        return new RegExp(term.text.split("*").map((part) => part.split("?").map(escape).join(".")).join("\\S*"), "gi");
      case "phrase":
        return new RegExp(term.text.split(/\s+/).map(escape).join("\\s+"), "gi");
      default:
        return new RegExp(/^[A-Za-z0-9]+$/.test(term.text) ? `(?<![A-Za-z0-9])${escape(term.text)}(?![A-Za-z0-9])`
          : escape(term.text), "gi");
    }
  } catch {
    return null; // an RE2 construct JavaScript does not know: the line is shown unmarked
  }
}

/** The text cut into marked and unmarked pieces; overlapping marks merge. */
export function highlightSegments(text: string, terms: HighlightTerm[]): Segment[] {
  const spans: [number, number][] = [];
  for (const term of terms) {
    const re = pattern(term);
    if (!re || term.text === "") continue;
    for (const m of text.matchAll(re)) {
      if (m[0].length > 0) spans.push([m.index!, m.index! + m[0].length]);
      if (spans.length > 1000) break;
    }
  }
  if (spans.length === 0) return [{ text, hit: false }];
  spans.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([...span]);
  }
  const out: Segment[] = [];
  let at = 0;
  for (const [from, to] of merged) {
    if (from > at) out.push({ text: text.slice(at, from), hit: false });
    out.push({ text: text.slice(from, to), hit: true });
    at = to;
  }
  if (at < text.length) out.push({ text: text.slice(at), hit: false });
  return out;
}
