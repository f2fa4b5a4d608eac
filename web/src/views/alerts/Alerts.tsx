// Alerts: what is firing now and what happened, the rules (with the editor), silences,
// notification channels, and the /v1 keyword anomaly rules with their records. `?tab=` picks
// the part; `?rule=` opens a rule in the editor (new for a new one).

import { t } from "../../i18n";
import type { MessageKey } from "../../locales/en";
import { location, navigate } from "../../route";
import { AlertList } from "./AlertList";
import { Anomaly } from "./Anomaly";
import { Channels } from "./Channels";
import { RuleEditor } from "./RuleEditor";
import { Rules } from "./Rules";
import { Silences } from "./Silences";

const TABS: { id: string; label: MessageKey; view: () => preact.JSX.Element }[] = [
  { id: "alerts", label: "alerts.tab.alerts", view: AlertList },
  { id: "rules", label: "alerts.tab.rules", view: Rules },
  { id: "silences", label: "alerts.tab.silences", view: Silences },
  { id: "channels", label: "alerts.tab.channels", view: Channels },
  { id: "anomaly", label: "alerts.tab.anomaly", view: Anomaly },
];

export function Alerts() {
  const params = location.value.searchParams;
  const tab = TABS.find((x) => x.id === params.get("tab")) ?? TABS[0];
  const rule = params.get("rule");
  const View = tab.view;
  return (
    <div class="page alerts">
      <div class="toolbar tabs" role="tablist">
        {TABS.map((x) => (
          <button key={x.id} role="tab" data-testid={`tab-${x.id}`} aria-selected={x === tab} class={x === tab ? "active" : ""}
                  onClick={() => navigate("/alerts", { tab: x.id })}>{t(x.label)}</button>
        ))}
      </div>
      <main class="page-main">
        {tab.id === "rules" && rule ? <RuleEditor id={rule === "new" ? null : rule} /> : <View />}
      </main>
    </div>
  );
}
