// Silences: hold back the notifications of the alerts whose labels match, for a while. Listed
// with whether each holds now; a new one from matchers and a duration; ending one early.

import { useState } from "preact/hooks";
import { api, asApiError, ApiError, type Silence } from "../../api";
import { t } from "../../i18n";
import { formatTime } from "../../timerange";
import { useApi } from "../../useApi";
import { matcherText, parseMatchers } from "./matchers";
import { FormRow } from "./RuleEditor";

const HOURS = /^\s*(\d+(?:\.\d+)?)\s*([mhd])\s*$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function Silences() {
  const [expired, setExpired] = useState(false);
  const silences = useApi<{ silences: Silence[] }>("/api/v1/silences", { expired });
  const [matchers, setMatchers] = useState("");
  const [length, setLength] = useState("2h");
  const [comment, setComment] = useState("");
  const [error, setError] = useState<ApiError | null>(null);

  async function create() {
    const parsed = parseMatchers(matchers);
    if ("line" in parsed) return setError(new ApiError(t("alerts.badMatcher", { line: parsed.line }), 400, "matchers"));
    const m = HOURS.exec(length);
    if (!m) return setError(new ApiError(t("alerts.badLength"), 400, "length"));
    const ends = new Date(Date.now() + Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]);
    try {
      await api("/api/v1/silences", {}, { method: "POST", json: { matchers: parsed.matchers, ends_at: ends.toISOString(), comment } });
      setMatchers("");
      setComment("");
      setError(null);
      silences.reload();
    } catch (e) {
      setError(asApiError(e));
    }
  }
  const expire = (id: string) => api(`/api/v1/silences/${id}`, {}, { method: "DELETE" })
    .then(() => silences.reload()).catch((e) => setError(asApiError(e)));

  return (
    <>
      <section class="card">
        <header class="card-head"><h2>{t("alerts.newSilence")}</h2></header>
        <form class="form-grid" onSubmit={(e) => { e.preventDefault(); create(); }}>
          <FormRow label={t("alerts.matchers")} name="matchers" error={error} hint={t("alerts.matchersHint")}>
            <textarea class="mono" rows={3} value={matchers} data-testid="silence-matchers"
                      placeholder={"alertname = nova errors\nhost =~ cmp[0-9]+"} onInput={(e) => setMatchers(e.currentTarget.value)} />
          </FormRow>
          <FormRow label={t("alerts.length")} name="length" error={error} hint={t("alerts.lengthHint")}>
            <input value={length} data-testid="silence-length" onInput={(e) => setLength(e.currentTarget.value)} /></FormRow>
          <FormRow label={t("alerts.comment")} name="comment" error={error}>
            <input value={comment} onInput={(e) => setComment(e.currentTarget.value)} /></FormRow>
          {error && !["matchers", "length", "comment"].includes(error.field?.split(".")[0] ?? "") && (
            <p class="error" role="alert">{error.message}</p>
          )}
          <div class="form-actions"><button class="primary" type="submit" data-testid="create-silence">{t("alerts.silence")}</button></div>
        </form>
      </section>
      <section class="card">
        <header class="card-head">
          <h2>{t("alerts.tab.silences")}</h2>
          <label class="check"><input type="checkbox" checked={expired} onChange={(e) => setExpired(e.currentTarget.checked)} />
            {t("alerts.showExpired")}</label>
        </header>
        {silences.error && <p class="error" role="alert">{silences.error.message}</p>}
        {silences.data && silences.data.silences.length === 0 && <p class="empty">{t("alerts.noSilences")}</p>}
        {silences.data && silences.data.silences.length > 0 && (
          <table class="grid" data-testid="silence-table">
            <thead><tr><th>{t("alerts.matchers")}</th><th>{t("alerts.from")}</th><th>{t("alerts.until")}</th>
              <th>{t("alerts.comment")}</th><th /></tr></thead>
            <tbody>
              {silences.data.silences.map((x) => (
                <tr key={x.id} data-testid="silence-row" class={x.active ? "" : "muted"}>
                  <td class="mono">{x.matchers.map(matcherText).join(", ")}</td>
                  <td class="col-time">{formatTime(x.starts_at)}</td>
                  <td class="col-time">{formatTime(x.ends_at)}</td>
                  <td>{x.comment}</td>
                  <td>{Date.parse(x.ends_at) > Date.now() &&
                    <button data-testid="expire-silence" onClick={() => expire(x.id)}>{t("alerts.expire")}</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
