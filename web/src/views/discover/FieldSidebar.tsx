// The fields of the matching lines: open one to see its top values among them, and filter for
// or against a value with a click.

import { useEffect, useState } from "preact/hooks";
import { api, type Facet } from "../../api";
import { formatNumber, t } from "../../i18n";

const SIDEBAR_FIELDS = ["level", "service", "program", "host", "logger", "http_status", "http_method",
  "source"];

function FieldValues({ field, query, range, onFilter }: {
  field: string; query: string; range: { since?: string; until?: string };
  onFilter: (field: string, value: string | number, exclude: boolean) => void;
}) {
  const [facet, setFacet] = useState<Facet | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    setFacet(null);
    setError(null);
    api<{ facets: Facet[] }>("/api/v1/facets", { field, q: query, size: 10, ...range }, { signal: abort.signal })
      .then((answer) => setFacet(answer.facets[0]))
      .catch((e) => { if (!abort.signal.aborted) setError(String(e.message)); });
    return () => abort.abort();
  }, [field, query, range.since, range.until]);
  if (error) return <p class="error">{error}</p>;
  if (!facet) return <p class="muted">{t("common.loading")}</p>;
  if (facet.timed_out) return <p class="muted">{t("discover.facetTimedOut")}</p>;
  const total = facet.values.reduce((sum, v) => sum + v.count, 0) || 1;
  return (
    <ul class="facet-values" data-testid={`facet-${field}`}>
      {facet.values.map((v) => (
        <li key={String(v.value)}>
          <div class="facet-bar" style={{ width: `${(100 * v.count) / total}%` }} />
          <span class="facet-value" title={String(v.value)}>{v.value === "" ? t("discover.empty") : String(v.value)}</span>
          <span class="facet-count">{formatNumber(v.count)}</span>
          <button title={t("discover.filterFor")} aria-label={t("discover.filterFor")} data-testid="facet-include"
                  onClick={() => onFilter(field, v.value, false)}>⊕</button>
          <button title={t("discover.filterOut")} aria-label={t("discover.filterOut")} data-testid="facet-exclude"
                  onClick={() => onFilter(field, v.value, true)}>⊖</button>
        </li>
      ))}
      {facet.values.length === 0 && <li class="muted">{t("discover.noValues")}</li>}
    </ul>
  );
}

export function FieldSidebar({ query, range, onFilter }: {
  query: string; range: { since?: string; until?: string };
  onFilter: (field: string, value: string | number, exclude: boolean) => void;
}) {
  const [open, setOpen] = useState<string | null>("level");
  return (
    <aside class="field-sidebar" data-testid="field-sidebar">
      <h3>{t("discover.fields")}</h3>
      {SIDEBAR_FIELDS.map((field) => (
        <div key={field} class="sidebar-field">
          <button class="sidebar-field-name" data-testid={`field-${field}`} aria-expanded={open === field}
                  onClick={() => setOpen(open === field ? null : field)}>
            {open === field ? "▾" : "▸"} {field}
          </button>
          {open === field && <FieldValues field={field} query={query} range={range} onFilter={onFilter} />}
        </div>
      ))}
    </aside>
  );
}
