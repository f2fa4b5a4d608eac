// Notification channels: where alerts are sent (e-mail, webhooks, Alertmanager, DingTalk, WeCom,
// Slack). Each can be tried with a test send; settings are the JSON docs/alerts.md describes,
// with an example for the chosen type. Stored passwords and secrets come back as ***, and ***
// sent back keeps them.

import { useState } from "preact/hooks";
import { api, asApiError, ApiError, type Channel } from "../../api";
import { t } from "../../i18n";
import { useApi } from "../../useApi";
import { FormRow } from "./RuleEditor";

const EXAMPLES: Record<string, object> = {
  email: { host: "smtp.example.org", port: 587, security: "starttls", from_addr: "venus@example.org", to: ["ops@example.org"] },
  webhook: { url: "https://hooks.example.org/venus" },
  alertmanager: { url: "http://alertmanager.example.org:9093", format: "api" },
  dingtalk: { url: "https://oapi.dingtalk.com/robot/send?access_token=TOKEN", secret: "" },
  wecom: { url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY" },
  slack: { url: "https://hooks.slack.com/services/T000/B000/XXXX" },
};

type Draft = { id: string | null; name: string; type: string; settings: string; enabled: boolean };
const draftOf = (c?: Channel): Draft => c
  ? { id: c.id, name: c.name, type: c.type, settings: JSON.stringify(c.settings, null, 2), enabled: c.enabled }
  : { id: null, name: "", type: "webhook", settings: JSON.stringify(EXAMPLES.webhook, null, 2), enabled: true };

export function Channels() {
  const channels = useApi<{ channels: Channel[] }>("/api/v1/channels");
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [tested, setTested] = useState<Record<string, { sent: boolean; error?: string }>>({});
  const [deleting, setDeleting] = useState<string | null>(null);

  async function save(d: Draft) {
    let settings: unknown;
    try {
      settings = JSON.parse(d.settings);
    } catch (e) {
      return setError(new ApiError(t("alerts.badJson", { reason: String((e as Error).message) }), 400, "settings"));
    }
    try {
      await api(d.id ? `/api/v1/channels/${d.id}` : "/api/v1/channels", {},
                { method: d.id ? "PUT" : "POST", json: { name: d.name.trim(), type: d.type, settings, enabled: d.enabled } });
      setDraft(null);
      setError(null);
      channels.reload();
    } catch (e) {
      setError(asApiError(e));
    }
  }
  const test = (c: Channel) => api<{ sent: boolean; error?: string }>(`/api/v1/channels/${c.id}/test`, {}, { method: "POST" })
    .then((r) => setTested({ ...tested, [c.id]: r })).catch((e) => setError(asApiError(e)));
  const remove = (c: Channel) => api(`/api/v1/channels/${c.id}`, {}, { method: "DELETE" })
    .then(() => { setDeleting(null); setError(null); channels.reload(); }).catch((e) => setError(asApiError(e)));

  return (
    <>
      {draft && (
        <section class="card" data-testid="channel-editor">
          <header class="card-head"><h2>{draft.id ? t("alerts.editChannel", { name: draft.name }) : t("alerts.newChannel")}</h2></header>
          <form class="form-grid" onSubmit={(e) => { e.preventDefault(); save(draft); }}>
            <FormRow label={t("alerts.name")} name="name" error={error}>
              <input value={draft.name} data-testid="channel-name" required onInput={(e) => setDraft({ ...draft, name: e.currentTarget.value })} />
            </FormRow>
            <FormRow label={t("alerts.channelType")} name="type" error={error}>
              <select value={draft.type} data-testid="channel-type" onChange={(e) => {
                const type = e.currentTarget.value;
                setDraft({ ...draft, type, settings: draft.id ? draft.settings : JSON.stringify(EXAMPLES[type], null, 2) });
              }}>{Object.keys(EXAMPLES).map((type) => <option key={type} value={type}>{type}</option>)}</select>
            </FormRow>
            <FormRow label={t("alerts.settings")} name="settings" error={error} hint={t("alerts.settingsHint")}>
              <textarea class="mono" rows={8} value={draft.settings} data-testid="channel-settings"
                        onInput={(e) => setDraft({ ...draft, settings: e.currentTarget.value })} />
            </FormRow>
            <label class="check"><input type="checkbox" checked={draft.enabled}
                                        onChange={(e) => setDraft({ ...draft, enabled: e.currentTarget.checked })} />{t("alerts.enabled")}</label>
            {error && !["name", "type", "settings"].includes(error.field?.split(".")[0] ?? "") && (
              <p class="error" role="alert">{error.message}</p>
            )}
            <div class="form-actions">
              <button class="primary" type="submit" data-testid="save-channel">{t("common.save")}</button>
              <button type="button" onClick={() => { setDraft(null); setError(null); }}>{t("common.cancel")}</button>
            </div>
          </form>
        </section>
      )}
      <section class="card">
        <header class="card-head">
          <h2>{t("alerts.tab.channels")}</h2>
          <button class="primary" data-testid="new-channel" onClick={() => { setDraft(draftOf()); setError(null); }}>{t("alerts.newChannel")}</button>
        </header>
        {!draft && error && <p class="error" role="alert">{error.message}</p>}
        {channels.data && channels.data.channels.length === 0 && <p class="empty">{t("alerts.noChannels")}</p>}
        {channels.data && channels.data.channels.length > 0 && (
          <table class="grid" data-testid="channel-table">
            <thead><tr><th>{t("alerts.name")}</th><th>{t("alerts.channelType")}</th><th>{t("alerts.target")}</th>
              <th>{t("alerts.enabled")}</th><th /></tr></thead>
            <tbody>
              {channels.data.channels.map((c) => (
                <tr key={c.id} data-testid="channel-row" data-name={c.name}>
                  <td>{c.name}</td><td>{c.type}</td>
                  <td class="mono">{String(c.settings.url ?? (c.settings.to as string[] | undefined)?.join(", ") ?? "")}</td>
                  <td>{c.enabled ? "✓" : "—"}</td>
                  <td class="actions">
                    <button data-testid="test-channel" onClick={() => test(c)}>{t("alerts.testSend")}</button>
                    <button onClick={() => { setDraft(draftOf(c)); setError(null); }}>{t("common.edit")}</button>
                    {deleting === c.id
                      ? <button class="danger" onClick={() => remove(c)}>{t("common.confirmDelete")}</button>
                      : <button onClick={() => setDeleting(c.id)}>{t("common.delete")}</button>}
                    {tested[c.id] && (
                      <span data-testid="test-result" class={tested[c.id].sent ? "ok" : "error"}>
                        {tested[c.id].sent ? t("alerts.testSent") : t("alerts.testFailed", { error: tested[c.id].error ?? "" })}
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
