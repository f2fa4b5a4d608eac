// The lines around one line, from the same file of the same host, in file order; more on either
// side on demand.

import { useEffect, useState } from "preact/hooks";
import { api, type Context, type HighlightTerm } from "../../api";
import { LevelBadge, Marked } from "../../components/Marked";
import { t } from "../../i18n";
import { formatTime } from "../../timerange";

const STEP = 10;

export function ContextPanel({ id, terms, onClose }: { id: string; terms: HighlightTerm[]; onClose: () => void }) {
  const [around, setAround] = useState({ before: STEP, after: STEP });
  const [context, setContext] = useState<Context | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    api<Context>(`/api/v1/context/${encodeURIComponent(id)}`, around, { signal: abort.signal })
      .then((answer) => { setContext(answer); setError(null); })
      .catch((e) => { if (!abort.signal.aborted) setError(String(e.message)); });
    return () => abort.abort();
  }, [id, around.before, around.after]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => { if (e.key === "Escape") onClose(); };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);

  const row = (line: Context["line"], current: boolean) => (
    <tr key={line.id} class={current ? "context-current" : ""} data-testid={current ? "context-current" : "context-line"}>
      <td class="col-time">{formatTime(line.ts)}</td>
      <td><LevelBadge level={line.level} /></td>
      <td class="col-message"><Marked text={line.message} terms={current ? terms : []} /></td>
    </tr>
  );
  return (
    <div class="drawer-backdrop" onClick={onClose}>
      <section class="drawer" data-testid="context-panel" role="dialog" aria-label={t("discover.context")}
               onClick={(e) => e.stopPropagation()}>
        <header>
          <h2>{t("discover.contextTitle")}</h2>
          {context && <p class="muted">{context.line.host} · {context.line.source}</p>}
          <button class="close" onClick={onClose} aria-label={t("common.close")}>✕</button>
        </header>
        {error && <p class="error">{error}</p>}
        {context && (
          <>
            <button data-testid="context-earlier" onClick={() => setAround({ ...around, before: around.before + STEP })}
                    disabled={context.before.length < around.before}>{t("discover.earlier", { n: STEP })}</button>
            <table class="results context">
              <tbody>
                {context.before.map((l) => row(l, false))}
                {row(context.line, true)}
                {context.after.map((l) => row(l, false))}
              </tbody>
            </table>
            <button data-testid="context-later" onClick={() => setAround({ ...around, after: around.after + STEP })}
                    disabled={context.after.length < around.after}>{t("discover.later", { n: STEP })}</button>
          </>
        )}
      </section>
    </div>
  );
}
