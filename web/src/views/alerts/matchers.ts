// Silence matchers as an operator types them, one a line: `alertname = nova errors`,
// `host =~ cmp[0-9]+`, `severity != info`.

import type { Matcher } from "../../api";

const LINE = /^\s*([A-Za-z_][\w.]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;

/** The matchers of the text, or the first line that is not one (1-based). */
export function parseMatchers(text: string): { matchers: Matcher[] } | { line: number } {
  const matchers: Matcher[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    const m = LINE.exec(lines[i]);
    if (!m) return { line: i + 1 };
    matchers.push({ name: m[1], op: m[2] as Matcher["op"], value: m[3] });
  }
  return { matchers };
}

export const matcherText = (m: Matcher) => `${m.name} ${m.op} ${m.value}`;
