// An anomaly's kind as people read it (the anomalies view, anomaly alert rules).

import { t } from "../../i18n";
import type { MessageKey } from "../../locales/en";

const KINDS: Record<string, MessageKey> = { new_template: "anomalies.kind.new", spike: "anomalies.kind.spike",
                                             drop: "anomalies.kind.drop" };

/** A kind in words; a cause found both new and spiking ("new_template+spike") says both. */
export const kindText = (kind: string) => kind.split("+").map((k) => (KINDS[k] ? t(KINDS[k]) : k)).join(" + ");
