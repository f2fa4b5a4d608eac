// The query bar: the query language with completion of field names (from /api/v1/fields) and of
// values (the top values starting with what is typed, from /api/v1/facets), and a syntax error
// shown where it is, as the server's parser finds it, while typing.

import { useEffect, useRef, useState } from "preact/hooks";
import { api, type Facet, type Fields, type QueryCheck } from "../../api";
import { t } from "../../i18n";
import { applyCompletion, completionContext, type CompletionContext } from "../../querytext";

type Suggestion = { label: string; detail: string; insert: string };
type Problem = { message: string; position: number | null };

let fieldsRequest: Promise<Fields> | null = null;
function loadFields(): Promise<Fields> {
  fieldsRequest ??= api<Fields>("/api/v1/fields").catch((error) => {
    fieldsRequest = null;
    throw error;
  });
  return fieldsRequest;
}

async function suggestionsFor(ctx: CompletionContext, range: { since?: string; until?: string },
                              signal: AbortSignal): Promise<Suggestion[]> {
  if (ctx.kind === "field") {
    if (ctx.prefix.length === 0) return [];
    const fields = await loadFields();
    const lower = ctx.prefix.toLowerCase();
    const names = [...fields.fields.map((f) => ({ name: f.name, detail: f.doc })),
      ...fields.attrs.map((key) => ({ name: `attrs.${key}`, detail: t("discover.attrField") }))];
    return names.filter((f) => f.name.toLowerCase().startsWith(lower) && f.name !== ctx.prefix)
      .slice(0, 12).map((f) => ({ label: `${f.name}:`, detail: f.detail, insert: `${f.name}:` }));
  }
  const fields = await loadFields();
  const known = fields.fields.find((f) => f.name === (fields.aliases[ctx.field] ?? ctx.field));
  if (!ctx.field.startsWith("attrs.") && (!known || known.kind !== "keyword")) return [];
  const answer = await api<{ facets: Facet[] }>("/api/v1/facets", { field: ctx.field, prefix: ctx.prefix, size: 10,
                                                                  ...range }, { signal });
  return answer.facets[0].values.map((v) => ({ label: String(v.value), detail: String(v.count),
                                               insert: String(v.value) }));
}

export function QueryBar({ value, onSubmit, range }: {
  value: string; onSubmit: (query: string) => void; range: { since?: string; until?: string };
}) {
  const [text, setText] = useState(value);
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const [active, setActive] = useState(-1);
  const [problem, setProblem] = useState<Problem | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const context = useRef<CompletionContext | null>(null);
  const pending = useRef<{ check?: number; suggest?: number; abort?: AbortController }>({});

  useEffect(() => setText(value), [value]);
  useEffect(() => () => {
    clearTimeout(pending.current.check);
    clearTimeout(pending.current.suggest);
    pending.current.abort?.abort();
  }, []);

  function check(query: string) {
    clearTimeout(pending.current.check);
    pending.current.check = window.setTimeout(async () => {
      try {
        const answer = await api<QueryCheck>("/api/v1/query/check", { q: query });
        setProblem(answer.valid ? null : { message: answer.reason, position: answer.position });
      } catch {
        setProblem(null); // the server away: the search itself will say so
      }
    }, 250);
  }

  function suggest(query: string, cursor: number) {
    clearTimeout(pending.current.suggest);
    pending.current.abort?.abort();
    const ctx = completionContext(query, cursor);
    context.current = ctx;
    pending.current.suggest = window.setTimeout(async () => {
      const abort = new AbortController();
      pending.current.abort = abort;
      try {
        const found = await suggestionsFor(ctx, range, abort.signal);
        if (!abort.signal.aborted) {
          setSuggestions(found);
          setActive(found.length ? 0 : -1);
        }
      } catch {
        if (!abort.signal.aborted) setSuggestions([]);
      }
    }, 120);
  }

  function onInput(event: Event) {
    const target = event.currentTarget as HTMLInputElement;
    setText(target.value);
    check(target.value);
    suggest(target.value, target.selectionStart ?? target.value.length);
  }

  function choose(suggestion: Suggestion) {
    const ctx = context.current ?? completionContext(text, input.current?.selectionStart ?? text.length);
    const next = applyCompletion(text, ctx, suggestion.insert);
    setText(next.text);
    setSuggestions([]);
    check(next.text);
    requestAnimationFrame(() => {
      input.current?.focus();
      input.current?.setSelectionRange(next.cursor, next.cursor);
      if (suggestion.insert.endsWith(":")) suggest(next.text, next.cursor);
    });
  }

  function submit() {
    clearTimeout(pending.current.suggest);
    pending.current.abort?.abort();
    setSuggestions([]);
    onSubmit(text.trim());
  }

  function onKeyDown(event: KeyboardEvent) {
    const open = suggestions.length > 0;
    if (event.key === "ArrowDown" && open) {
      event.preventDefault();
      setActive((active + 1) % suggestions.length);
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      setActive((active - 1 + suggestions.length) % suggestions.length);
    } else if ((event.key === "Tab" || event.key === "Enter") && open && active >= 0) {
      event.preventDefault();
      choose(suggestions[active]);
    } else if (event.key === "Enter") {
      event.preventDefault();
      submit();
    } else if (event.key === "Escape") {
      setSuggestions([]);
    }
  }

  return (
    <div class="query-bar">
      <div class="query-input-wrap">
        <input ref={input} data-testid="query-input" class={problem ? "query-input invalid" : "query-input"}
               value={text} onInput={onInput} onKeyDown={onKeyDown} spellcheck={false} autocomplete="off"
               onBlur={() => window.setTimeout(() => setSuggestions([]), 150)}
               placeholder={t("discover.queryPlaceholder")} aria-label={t("discover.query")}
               aria-invalid={problem !== null} />
        {suggestions.length > 0 && (
          <ul class="suggestions" role="listbox" data-testid="suggestions">
            {suggestions.map((s, i) => (
              <li key={s.label} role="option" aria-selected={i === active} class={i === active ? "active" : ""}
                  onMouseDown={(e) => { e.preventDefault(); choose(s); }}>
                <span class="suggestion-label">{s.label}</span><span class="suggestion-detail">{s.detail}</span>
              </li>
            ))}
          </ul>
        )}
        {problem && (
          <div class="query-problem" data-testid="query-problem" role="alert">
            <span>{t("discover.syntaxError", { reason: problem.message })}</span>
            {problem.position !== null && (
              <pre class="query-pointer">{text}{"\n"}{" ".repeat(problem.position)}^</pre>
            )}
          </div>
        )}
      </div>
      <button class="primary" data-testid="search-button" onClick={submit}>{t("discover.search")}</button>
    </div>
  );
}
