// The call chain of one request (or of every request that touched an instance): a waterfall of
// its spans across services and hosts, the first error marked, and the lines of the chosen span.
// The path holds the id (/chain/<request id or instance UUID>), so the view can be shared.

import { useEffect, useState } from "preact/hooks";
import { ApiError, apiUrl, asApiError, download, saveBlob, type Chain as ChainData, type LogLine, type Span } from "../../api";
import { LevelBadge } from "../../components/Marked";
import { formatNumber, t } from "../../i18n";
import { chainPath, location, navigate } from "../../route";
import { formatTime } from "../../timerange";
import { useApi } from "../../useApi";
import { formatDuration, spanBar, spanDepths } from "./waterfall";

const NOTIFICATION_LOGGER = "notification"; // what the notification consumer writes as the logger

function chainIdFromUrl(url: URL): string {
  return decodeURIComponent(url.pathname.replace(/^\/chain\/?/, "")).trim();
}

export function Chain() {
  const id = chainIdFromUrl(location.value);
  const [typed, setTyped] = useState(id);
  const [chosen, setChosen] = useState<number | null>(null);
  const [saveError, setSaveError] = useState<ApiError | null>(null);
  const loaded = useApi<ChainData>(id ? `/api/v1/chain/${encodeURIComponent(id)}` : null);
  const chain = id && !loaded.loading ? loaded.data : null;
  const error = saveError ?? (id ? loaded.error : null);
  const loading = loaded.loading;
  useEffect(() => { setTyped(id); setChosen(null); setSaveError(null); }, [id]);

  // CSV is streamed by the server; JSON is the chain on screen, as the API gave it.
  const save = (format: "csv" | "json") => format === "json"
    ? saveBlob(new Blob([JSON.stringify(chain, null, 2)], { type: "application/json" }), `venus-chain-${chain!.id}.json`)
    : download(apiUrl(`/api/v1/chain/${encodeURIComponent(chain!.id)}`, { format }), `venus-chain-${chain!.id}.csv`)
      .catch((e) => setSaveError(asApiError(e)));

  return (
    <div class="page chain">
      <div class="toolbar">
        <form class="query-bar" onSubmit={(e) => { e.preventDefault(); if (typed.trim()) navigate(chainPath(typed.trim())); }}>
          <input class="query-input" data-testid="chain-input" value={typed} aria-label={t("chain.id")}
                 placeholder={t("chain.placeholder")} onInput={(e) => setTyped(e.currentTarget.value)} />
          <button class="primary" type="submit">{t("chain.follow")}</button>
        </form>
        {chain && chain.line_count > 0 && (
          <div class="export">
            <button data-testid="chain-export-csv" onClick={() => save("csv")}>{t("discover.export")} CSV</button>
            <button data-testid="chain-export-json" onClick={() => save("json")}>JSON</button>
          </div>
        )}
      </div>
      <main class="page-main">
        {!id && <p class="empty">{t("chain.explain")}</p>}
        {loading && <p class="muted">{t("common.loading")}</p>}
        {error && <p class="error" role="alert" data-testid="chain-error">{error.message}</p>}
        {chain && chain.line_count === 0 && <p class="empty" data-testid="chain-empty">{t("chain.none", { id: chain.id })}</p>}
        {chain && chain.line_count > 0 && (
          <>
            <ChainSummary chain={chain} />
            <Waterfall chain={chain} chosen={chosen} onChoose={(i) => setChosen(i === chosen ? null : i)} />
            <ChainLines chain={chain} span={chosen === null ? null : chain.spans[chosen]} />
          </>
        )}
      </main>
    </div>
  );
}

function ChainSummary({ chain }: { chain: ChainData }) {
  return (
    <div class="chain-summary" data-testid="chain-summary">
      <span><strong>{t(chain.kind === "instance" ? "chain.instance" : "chain.request")}</strong> <code>{chain.id}</code></span>
      <span>{t("chain.duration")}: <strong>{formatDuration(chain.duration_ms)}</strong></span>
      <span>{t("chain.lines", { n: formatNumber(chain.line_count) })}</span>
      <span class={chain.error_count ? "error" : ""}>{t("chain.errors", { n: formatNumber(chain.error_count) })}</span>
      <span>{t("chain.services")}: {chain.services.join(" → ")}</span>
      {chain.part_of && (
        <a href={chainPath(chain.part_of)} data-testid="chain-part-of"
           onClick={(e) => { e.preventDefault(); navigate(chainPath(chain.part_of!)); }}>{t("chain.partOf")}</a>
      )}
      {chain.truncated && <span class="error">{t("chain.truncated", { n: formatNumber(chain.line_count) })}</span>}
    </div>
  );
}

function Waterfall({ chain, chosen, onChoose }: { chain: ChainData; chosen: number | null; onChoose: (i: number) => void }) {
  const depths = spanDepths(chain.spans);
  const firstErrorSpan = chain.first_error ? chain.spans.findIndex((s) => s.first_error === chain.first_error) : -1;
  return (
    <div class="waterfall" data-testid="waterfall" role="list">
      <div class="waterfall-scale">
        <span>0</span><span>{formatDuration(chain.duration_ms / 2)}</span><span>{formatDuration(chain.duration_ms)}</span>
      </div>
      {chain.spans.map((span, i) => {
        const bar = spanBar(span, chain.start!, chain.duration_ms);
        const classes = ["span-row", span.error_count ? "span-error" : "", i === chosen ? "chosen" : "",
                         i === firstErrorSpan ? "first-error" : ""].filter(Boolean).join(" ");
        return (
          <div key={i} class={classes} role="listitem" data-testid="span" data-service={span.service}
               data-first-error={i === firstErrorSpan ? "true" : undefined} onClick={() => onChoose(i)}
               title={`${span.service} · ${span.program} · ${span.host}\n${span.request_id}`}>
            <div class="span-label" style={{ paddingLeft: `${depths[i] * 16 + 4}px` }}>
              <span class="span-service">{span.service}</span>
              <span class="muted"> {span.program} · {span.host}</span>
              {i === firstErrorSpan && <span class="first-error-tag" data-testid="first-error">{t("chain.firstError")}</span>}
            </div>
            <div class="span-track">
              <div class="span-bar" style={{ left: `${bar.left}%`, width: `${bar.width}%` }} />
              <span class={bar.left + bar.width > 80 ? "span-duration inside" : "span-duration"}
                    style={bar.left + bar.width > 80 ? { right: `${100 - bar.left - bar.width}%` } : { left: `${bar.left + bar.width}%` }}>
                {formatDuration(span.duration_ms)}{span.error_count ? ` · ${t("chain.errors", { n: span.error_count })}` : ""}
              </span>
            </div>
          </div>
        );
      })}
    </div>
  );
}

function ChainLines({ chain, span }: { chain: ChainData; span: Span | null }) {
  const wanted = span ? new Set(span.line_ids) : null;
  const lines = wanted ? chain.lines.filter((l) => wanted.has(l.id)) : chain.lines;
  const context = (line: LogLine) => navigate("/discover", { from: "all", context: line.id });
  return (
    <section class="chain-lines">
      <h3>{span ? t("chain.spanLines", { service: span.service, host: span.host, n: lines.length })
                : t("chain.allLines", { n: lines.length })}</h3>
      <table class="results" data-testid="chain-lines">
        <thead>
          <tr><th class="col-time">{t("field.ts")}</th><th>{t("field.level")}</th><th>{t("field.service")}</th>
            <th>{t("field.host")}</th><th>{t("field.message")}</th><th /></tr>
        </thead>
        <tbody>
          {lines.map((line) => (
            <tr key={line.id} data-testid="chain-line" data-id={line.id}
                class={line.id === chain.first_error ? "first-error-line" : ""}>
              <td class="col-time">{formatTime(line.ts)}</td>
              <td><LevelBadge level={line.level} />
                {line.logger === NOTIFICATION_LOGGER && <span class="tag" data-testid="notification-tag">{t("chain.notification")}</span>}</td>
              <td class="nowrap">{line.service}<div class="muted">{line.program}</div></td>
              <td class="nowrap">{line.host}</td>
              <td class="col-message">{line.message}</td>
              <td><button onClick={() => context(line)}>{t("discover.context")}</button></td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
