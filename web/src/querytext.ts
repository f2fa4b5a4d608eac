// Editing query text the way a person would: where the cursor is (typing a field name or a value),
// filters added from a click, and values quoted when the query language needs it
// (docs/query-language.md).

const BREAK = new Set([" ", "\t", "\n", "(", ")"]);
const SPECIAL = /[\s():"[\]{}\\/<>=*?]/;
const OPERATORS = new Set(["AND", "OR", "NOT", "TO"]);

export type CompletionContext =
  | { kind: "field"; prefix: string; start: number; end: number }
  | { kind: "value"; field: string; prefix: string; start: number; end: number };

/** What the word under the cursor is: the start of a field name (or free text), or a value after
 * `field:`. `start`/`end` delimit what a chosen suggestion replaces. */
export function completionContext(text: string, cursor: number): CompletionContext {
  let start = cursor;
  let inQuote = false;
  // Walk back to the start of the word; a quote opened before the cursor keeps spaces in the word.
  for (let i = 0; i < cursor; i++) if (text[i] === '"' && text[i - 1] !== "\\") inQuote = !inQuote;
  while (start > 0) {
    const ch = text[start - 1];
    if (ch === '"' && text[start - 2] !== "\\") inQuote = !inQuote;
    if (!inQuote && BREAK.has(ch)) break;
    start--;
  }
  if (text[start] === "-" || text[start] === "+") start++;
  let end = cursor;
  while (end < text.length && !BREAK.has(text[end])) end++;
  const word = text.slice(start, cursor);
  const colon = word.indexOf(":");
  if (colon > 0 && !word.startsWith('"')) {
    const field = word.slice(0, colon);
    const prefix = word.slice(colon + 1).replace(/^[<>]=?/, "").replace(/^"/, "");
    return { kind: "value", field, prefix, start: start + colon + 1, end };
  }
  return { kind: "field", prefix: word, start, end };
}

/** The text with a suggestion in place of the context's word, and where the cursor goes. */
export function applyCompletion(text: string, ctx: CompletionContext, suggestion: string): { text: string; cursor: number } {
  const rest = text.slice(ctx.end);
  let insert = ctx.kind === "field" ? suggestion : quoteValue(suggestion);
  // After a value the next clause starts: a space, unless one (or a closing parenthesis) follows.
  if (ctx.kind === "value" && !/^[\s)]/.test(rest)) insert += " ";
  return { text: text.slice(0, ctx.start) + insert + rest, cursor: ctx.start + insert.length };
}

/** A value as the query language reads it literally: quoted when it holds anything special. */
export function quoteValue(value: string): string {
  if (value !== "" && !SPECIAL.test(value) && !OPERATORS.has(value) && !/^[-+]/.test(value)) return value;
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** `field:value`, or `-field:value` to leave those lines out. */
export function filterClause(field: string, value: string | number, exclude = false): string {
  const text = String(value);
  return `${exclude ? "-" : ""}${field}:${text === "" ? "NO_EXIST" : quoteValue(text)}`;
}

/** The query narrowed by one more clause; a query with OR is kept whole in parentheses. */
export function addClause(query: string, clause: string): string {
  const q = query.trim();
  if (q === "" || q === "*") return clause;
  if (q.split(/\s+/).includes(clause)) return q;
  return /\bOR\b/.test(q) ? `(${q}) ${clause}` : `${q} ${clause}`;
}
