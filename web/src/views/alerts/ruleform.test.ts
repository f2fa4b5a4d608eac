import { describe, expect, it } from "vitest";
import type { AlertRule } from "../../api";
import { durationText, formFromRule, ruleFromForm } from "./ruleform";

const stored: AlertRule = {
  id: "r1", name: "nova errors", description: "", query: "service:nova level:ERROR", signature: null, template_id: null,
  condition: "count", op: "above", threshold: 5, numerator: null, kinds: null, window: 300, lookback: 86400, group_by: ["host"],
  for: 120, severity: "error", labels: { team: "compute" }, channels: ["ops"], renotify: 14400, notify_resolved: true,
  samples: 5, enabled: true, states: { firing: 1 }, timezone: "Asia/Shanghai", thresholds: [],
};

describe("durationText", () => {
  it("writes seconds in the largest exact unit", () => {
    expect([300, 86400, 90, 0, 7200, 604800].map(durationText)).toEqual(["5m", "1d", "90s", "0s", "2h", "1w"]);
  });
});

describe("the rule form", () => {
  it("gives back the stored rule, without the fields only the server writes", () => {
    const body = ruleFromForm(formFromRule(stored));
    expect(body).toEqual({
      name: "nova errors", description: "", query: "service:nova level:ERROR", signature: null, template_id: null,
      condition: "count", op: "above", threshold: 5, window: "5m", lookback: "1d", group_by: ["host"], for: "2m",
      severity: "error", labels: { team: "compute" }, channels: ["ops"], renotify: "4h", notify_resolved: true,
      samples: 5, enabled: true, timezone: "Asia/Shanghai", thresholds: [],
    });
  });
  it("splits the group-by fields at commas", () => {
    expect(ruleFromForm({ ...formFromRule(), group_by: " host, program ,," }).group_by).toEqual(["host", "program"]);
  });
  it("sends a threshold that is not a number as typed, for the server to name", () => {
    expect(ruleFromForm({ ...formFromRule(), threshold: "many" }).threshold).toBe("many");
    expect(ruleFromForm({ ...formFromRule(), threshold: "" }).threshold).toBe("");
  });
  it("sends the numerator only with a ratio", () => {
    expect(ruleFromForm({ ...formFromRule(), numerator: "level:ERROR" })).not.toHaveProperty("numerator");
    expect(ruleFromForm({ ...formFromRule(), condition: "ratio", numerator: "level:ERROR" }).numerator).toBe("level:ERROR");
  });
  it("sends the kinds, and always 'above', only with an anomaly rule", () => {
    expect(ruleFromForm({ ...formFromRule(), kinds: ["spike"] })).not.toHaveProperty("kinds");
    const anomaly = ruleFromForm({ ...formFromRule(), condition: "anomaly", op: "below", kinds: ["spike", "drop"] });
    expect([anomaly.kinds, anomaly.op]).toEqual([["spike", "drop"], "above"]);
  });
  it("reads an anomaly rule stored without kinds as watching every kind", () => {
    expect(formFromRule({ ...stored, condition: "anomaly" }).kinds).toEqual(["new_template", "spike", "drop"]);
  });
});
