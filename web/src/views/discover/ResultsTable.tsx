// The matching lines, newest first. A row opens to show every field of the line, each with
// buttons to filter for or against its value, and the line's context.

import { useState } from "preact/hooks";
import type { HighlightTerm, LogLine } from "../../api";
import { LevelBadge, Marked } from "../../components/Marked";
import { t } from "../../i18n";
import { chainPath, navigate } from "../../route";
import { formatTime } from "../../timerange";

const HIDDEN = new Set(["id", "attrs"]);

/** A line's fields worth showing: every non-empty column, then attrs.<key>. */
function lineFields(line: LogLine): [string, string | number][] {
  const out: [string, string | number][] = [];
  for (const [key, value] of Object.entries(line)) {
    if (HIDDEN.has(key) || value === "" || value === null || value === undefined) continue;
    if ((key === "template_id" || key === "offset" || key === "pid" || key === "http_status") && value === 0) continue;
    out.push([key, value as string | number]);
  }
  for (const [key, value] of Object.entries(line.attrs ?? {})) out.push([`attrs.${key}`, value]);
  return out;
}

export function ResultsTable({ hits, terms, onFilter, onContext }: {
  hits: LogLine[]; terms: HighlightTerm[];
  onFilter: (field: string, value: string | number, exclude: boolean) => void;
  onContext: (line: LogLine) => void;
}) {
  const [open, setOpen] = useState<Set<string>>(new Set());
  const toggle = (id: string) => {
    const next = new Set(open);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setOpen(next);
  };
  return (
    <table class="results" data-testid="results">
      <thead>
        <tr><th class="col-time">{t("field.ts")}</th><th>{t("field.level")}</th><th>{t("field.host")}</th>
          <th>{t("field.program")}</th><th>{t("field.message")}</th></tr>
      </thead>
      <tbody>
        {hits.map((line) => [
          <tr key={line.id} data-testid="result-row" data-id={line.id} class={open.has(line.id) ? "row open" : "row"}
              onClick={() => toggle(line.id)} aria-expanded={open.has(line.id)}>
            <td class="col-time">{formatTime(line.ts)}</td>
            <td><LevelBadge level={line.level} /></td>
            <td class="nowrap">{line.host}</td>
            <td class="nowrap">{line.program}</td>
            <td class="col-message"><Marked text={firstLines(line.message)} terms={terms} /></td>
          </tr>,
          open.has(line.id) && (
            <tr key={`${line.id}-detail`} class="detail" data-testid="result-detail">
              <td colSpan={5}>
                <div class="detail-actions">
                  <button data-testid="open-context" onClick={() => onContext(line)}>{t("discover.context")}</button>
                  {(line.global_request_id || line.request_id) && (
                    <button data-testid="open-chain" onClick={() => navigate(chainPath(line.global_request_id || line.request_id))}>
                      {t("chain.open")}</button>
                  )}
                </div>
                <pre class="detail-message"><Marked text={line.message} terms={terms} /></pre>
                <table class="fields">
                  <tbody>
                    {lineFields(line).filter(([k]) => k !== "message").map(([key, value]) => (
                      <tr key={key} data-field={key}>
                        <td class="field-name">{key}</td>
                        <td class="field-actions">
                          <button title={t("discover.filterFor")} aria-label={t("discover.filterFor")}
                                  onClick={() => onFilter(key, value, false)}>⊕</button>
                          <button title={t("discover.filterOut")} aria-label={t("discover.filterOut")}
                                  onClick={() => onFilter(key, value, true)}>⊖</button>
                        </td>
                        <td class="field-value">{String(value)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </td>
            </tr>
          ),
        ])}
      </tbody>
    </table>
  );
}

/** The first three lines of a message (a traceback opens in the row's detail). */
function firstLines(message: string): string {
  const lines = message.split("\n");
  return lines.length > 3 ? `${lines.slice(0, 3).join("\n")}\n…` : message;
}
