// Discover: search the logs. Everything on the screen comes from the URL (q, from, to, context),
// so a URL restores the view.

import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, ApiError, apiUrl, asApiError, download, isAbort, type Histogram as HistogramData, type LogLine,
  type SearchPage } from "../../api";
import { formatNumber, t } from "../../i18n";
import { addClause, filterClause } from "../../querytext";
import { location, navigate, rangeFromUrl, rangeToUrl } from "../../route";
import { followTail } from "../../tail";
import { absoluteRange, rangeParams, type TimeRange } from "../../timerange";
import { ContextPanel } from "./ContextPanel";
import { FieldSidebar } from "./FieldSidebar";
import { Histogram } from "./Histogram";
import { QueryBar } from "./QueryBar";
import { ResultsTable } from "./ResultsTable";
import { TimePicker } from "../../components/TimePicker";

const PAGE = 100;
const TAIL_KEEP = 500;

type State = { q: string; range: TimeRange; context: string };

function stateFromUrl(url: URL): State {
  return { q: url.searchParams.get("q") ?? "", range: rangeFromUrl(url), context: url.searchParams.get("context") ?? "" };
}

function go(state: State, replace = false) {
  navigate("/discover", { q: state.q, ...rangeToUrl(state.range), context: state.context }, replace);
}

export function Discover() {
  const state = stateFromUrl(location.value);
  const [page, setPage] = useState<SearchPage | null>(null);
  const [histogram, setHistogram] = useState<HistogramData | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const [more, setMore] = useState(false);
  const [tailing, setTailing] = useState(false);
  const [refreshed, setRefreshed] = useState(0);
  const started = useRef(0);

  const key = `${state.q}\u0000${state.range.from}\u0000${state.range.to}\u0000${refreshed}`;
  // A relative range is read against the clock once per search: the lines, the histogram and
  // the field counts then all cover the same stretch.
  const bounds = useMemo(() => rangeParams(state.range, new Date()), [key]);
  useEffect(() => {
    if (tailing) return;
    const abort = new AbortController();
    const range = bounds;
    setLoading(true);
    setError(null);
    started.current = performance.now();
    // The lines and the histogram are asked together; the total comes with the histogram, so the
    // first page is not held back by counting every match.
    api<SearchPage>("/api/v1/search", { q: state.q, limit: PAGE, total: false, ...range }, { signal: abort.signal })
      .then((answer) => {
        setPage(answer);
        setLoading(false);
        // Read by the browser tests, which report how soon the first lines were on screen.
        (window as any).venusFirstResultsMs = performance.now() - started.current;
      })
      .catch((e) => {
        if (isAbort(e)) return;
        setLoading(false);
        setPage(null);
        setError(asApiError(e));
      });
    api<HistogramData>("/api/v1/histogram", { q: state.q, buckets: 80, ...range }, { signal: abort.signal })
      .then(setHistogram)
      .catch((e) => { if (!isAbort(e)) setHistogram(null); });
    return () => abort.abort();
  }, [key, tailing]);

  useEffect(() => {
    if (!tailing) return;
    const abort = new AbortController();
    const lines: LogLine[] = [];
    setPage({ total: null, count: 0, next_cursor: null, took_ms: 0, hits: [], highlight: page?.highlight ?? [] });
    followTail(state.q, (line) => {
      lines.unshift(line);
      lines.length = Math.min(lines.length, TAIL_KEEP);
      setPage((p) => ({ ...(p as SearchPage), hits: [...lines], count: lines.length }));
    }, abort.signal).catch((e) => {
      if (!isAbort(e)) {
        setError(new ApiError(String(e.message ?? e), 0));
        setTailing(false);
      }
    });
    return () => abort.abort();
  }, [tailing, state.q]);

  async function loadMore() {
    if (!page?.next_cursor) return;
    setMore(true);
    try {
      const next = await api<SearchPage>("/api/v1/search", { q: state.q, limit: PAGE, total: false,
                                                             cursor: page.next_cursor, ...bounds });
      setPage({ ...next, hits: [...page.hits, ...next.hits] });
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setMore(false);
    }
  }

  const onFilter = (field: string, value: string | number, exclude: boolean) =>
    go({ ...state, q: addClause(state.q, filterClause(field, value, exclude)), context: "" });

  const exportAll = (format: "ndjson" | "csv") =>
    download(apiUrl("/api/v1/export", { q: state.q, format, ...bounds }), `venus-export.${format}`)
      .catch((e) => setError(asApiError(e)));

  const total = histogram?.total;
  return (
    <div class="discover">
      <div class="toolbar">
        <QueryBar value={state.q} range={bounds} onSubmit={(q) => { go({ ...state, q, context: "" }); setRefreshed(refreshed + 1); }} />
        <TimePicker range={state.range} onChange={(range) => go({ ...state, range, context: "" })} />
        <button data-testid="tail-button" class={tailing ? "active" : ""} aria-pressed={tailing}
                onClick={() => setTailing(!tailing)}>{tailing ? t("discover.stopTail") : t("discover.tail")}</button>
        <div class="export">
          <button data-testid="export-ndjson" onClick={() => exportAll("ndjson")}>{t("discover.export")} NDJSON</button>
          <button data-testid="export-csv" onClick={() => exportAll("csv")}>CSV</button>
        </div>
      </div>
      <div class="discover-body">
        <FieldSidebar query={state.q} range={bounds} onFilter={onFilter} />
        <main class="discover-main">
          {!tailing && (
            <Histogram data={histogram} onZoom={(start, end) => go({ ...state, range: absoluteRange(start, end), context: "" })} />
          )}
          <div class="result-summary" data-testid="result-summary">
            {error ? (
              <p class="error" data-testid="search-error" role="alert">{error.message}</p>
            ) : tailing ? (
              <span>{t("discover.tailing", { n: formatNumber(page?.hits.length ?? 0) })}</span>
            ) : loading ? (
              <span>{t("common.loading")}</span>
            ) : (
              <span data-testid="total">{total === undefined ? "" : t("discover.total", { n: formatNumber(total) })}
                {page ? ` · ${t("discover.took", { ms: Math.round(page.took_ms) })}` : ""}</span>
            )}
          </div>
          {page && page.hits.length > 0 && (
            <ResultsTable hits={page.hits} terms={page.highlight} onFilter={onFilter}
                          onContext={(line) => go({ ...state, context: line.id })} />
          )}
          {page && page.hits.length === 0 && !loading && !error && (
            <p class="empty" data-testid="no-results">{tailing ? t("discover.waiting") : t("discover.noResults")}</p>
          )}
          {page?.next_cursor && !tailing && (
            <button class="more" data-testid="load-more" disabled={more} onClick={loadMore}>{t("discover.loadMore")}</button>
          )}
        </main>
      </div>
      {state.context && (
        <ContextPanel id={state.context} terms={page?.highlight ?? []} onClose={() => go({ ...state, context: "" })} />
      )}
    </div>
  );
}
