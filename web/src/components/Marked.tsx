import { highlightSegments, type HighlightTerm } from "../highlight";

/** Text with what the query looked for marked. */
export function Marked({ text, terms }: { text: string; terms: HighlightTerm[] }) {
  if (terms.length === 0) return <>{text}</>;
  return <>{highlightSegments(text, terms).map((s, i) => (s.hit ? <mark key={i}>{s.text}</mark> : s.text))}</>;
}

export function LevelBadge({ level }: { level: string }) {
  return <span class={`level level-${level.toLowerCase()}`}>{level}</span>;
}
