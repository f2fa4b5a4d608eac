"""`AlertRule`: what an operator asks to be alerted on, checked whole before it is stored.

A rule measures the lines its query matches (narrowed to a typical-error signature or a template
when it names one) over a sliding `window`, per group of `group_by` values, and compares the
measure with a threshold that may change with the day and hour:

- count: lines in the window;      rate: lines per second in the window;
- ratio: lines also matching `numerator` / lines matching the query (errors / all), 0…1;
- absence: a group (a host, a service) seen within `lookback` has no line for `window`; the
  measure is the seconds since its last line;
- anomaly: the anomalies of the window against the `lookback` before it (templates new to a
  service, spikes and drops: venus.analysis.anomalies) of the rule's `kinds`; the measure is the
  highest score among the group's findings.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Annotated, Literal

import orjson
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from venus.alerts.timewindows import WeeklyWindow, Zone, local_time
from venus.analysis.anomalies import MIN_HISTORY
from venus.analysis.stats import dimension
from venus.errors import BadRequest, VenusError
from venus.query.parser import parse_query
from venus.query.timerange import duration_seconds
from venus.validation import validated

MAX_GROUP_BY = 4
ANOMALY_GROUP_BY = ("service", "host", "template_id", "level", "kind")  # what an anomaly finding carries
AnomalyKind = Literal["new_template", "spike", "drop"]
LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def _query(text: str) -> str:
    try:
        parse_query(text)
    except VenusError as exc:
        raise ValueError(getattr(exc, "reason", exc.message) + (
            f" at position {exc.position}" if hasattr(exc, "position") else "")) from None
    return text


def _dimension(name: str) -> str:
    if name == "kind":
        return name  # an anomaly's kind: only anomaly rules group by it (parse_rule)
    try:
        dimension(name)
    except VenusError:
        raise ValueError(f"cannot group by '{name[:64]}': use a field such as host, service, program, level, "
                         "logger, project_id or attrs.<key>") from None
    return name


def _labels(value: dict[str, str]) -> dict[str, str]:
    for name in value:
        if not LABEL_NAME.fullmatch(name):
            raise ValueError(f"label name {name[:64]!r}: letters, digits and _, not starting with a digit")
    return value


Query = Annotated[str, Field(max_length=8192), AfterValidator(_query)]
Duration = Annotated[float, BeforeValidator(duration_seconds)]
Labels = Annotated[dict[str, Annotated[str, Field(max_length=1024)]], Field(max_length=32),
                   AfterValidator(_labels)]


class ScheduledThreshold(WeeklyWindow):
    """The threshold within a weekly window (the rule's own threshold outside every window)."""

    threshold: float


class AlertRule(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(min_length=1, max_length=255)
    description: str = Field("", max_length=4096)
    query: Query = ""
    signature: str | None = Field(None, max_length=255)
    template_id: int | None = Field(None, ge=1)
    condition: Literal["count", "rate", "ratio", "absence", "anomaly"] = "count"
    kinds: list[AnomalyKind] | None = Field(None, min_length=1, max_length=3)
    op: Literal["above", "below"] = "above"
    threshold: float = 0
    numerator: Query | None = None
    window: Duration = 300
    lookback: Duration = 86400
    group_by: list[Annotated[str, AfterValidator(_dimension)]] = Field(default_factory=list, max_length=MAX_GROUP_BY)
    for_: Duration = Field(0, alias="for")
    severity: Literal["critical", "error", "warning", "info"] = "warning"
    labels: Labels = Field(default_factory=dict)
    thresholds: list[ScheduledThreshold] = Field(default_factory=list, max_length=50)
    timezone: Zone = "UTC"
    channels: list[Annotated[str, Field(min_length=1, max_length=255)]] = Field(default_factory=list, max_length=20)
    renotify: Duration = 4 * 3600
    notify_resolved: bool = True
    samples: int = Field(5, ge=0, le=20)

    @property
    def span(self) -> float:
        """Seconds of logs one evaluation reads: the window, or for absence the lookback."""
        return self.lookback if self.condition == "absence" else self.window

    def threshold_at(self, moment: datetime) -> float:
        """The threshold in force at `moment`: the first scheduled one whose window holds it."""
        if self.thresholds:
            local = local_time(moment, self.timezone)
            for scheduled in self.thresholds:
                if scheduled.contains(local):
                    return scheduled.threshold
        return self.threshold

    def breached(self, value: float, threshold: float) -> bool:
        if self.condition == "absence":
            return value >= self.window
        return value > threshold if self.op == "above" else value < threshold

    def spec(self) -> dict:
        """The rule as stored and shown (durations in seconds)."""
        return self.model_dump(by_alias=True)


def _unmeetable(rule: AlertRule, threshold: float) -> str | None:
    """Why a threshold can never be crossed, if it cannot."""
    if rule.condition == "absence":
        return None
    if threshold < 0:
        return "must be 0 or more (the measure never goes below 0)"
    if rule.op == "below" and threshold == 0:
        return "'below 0' can never happen: use a threshold above 0, or an absence rule"
    if rule.condition == "ratio" and threshold > 1 or (rule.condition == "ratio" and rule.op == "above"
                                                       and threshold == 1):
        return "a ratio is between 0 and 1, so it never goes above this"
    return None


def parse_rule(data: object, signatures: set[str] | None = None) -> AlertRule:
    """A rule from a request body, or BadRequest naming the first bad field."""
    rule = validated(AlertRule, data)
    if rule.condition == "ratio" and not rule.numerator:
        raise BadRequest("numerator: a ratio rule needs the query of its numerator (e.g. level:ERROR)",
                         field="numerator")
    if rule.condition != "ratio" and rule.numerator:
        raise BadRequest("numerator: only a ratio rule has a numerator", field="numerator")
    if rule.condition == "absence":
        if not rule.group_by:
            raise BadRequest("group_by: an absence rule says which hosts or services go silent, e.g. [\"host\"]",
                             field="group_by")
        if rule.lookback <= rule.window:
            raise BadRequest("lookback: must be longer than the window (groups seen within it can go silent)",
                             field="lookback")
    if rule.condition == "anomaly":
        _check_anomaly_rule(rule)
    elif rule.kinds is not None:
        raise BadRequest("kinds: only an anomaly rule has kinds", field="kinds")
    elif "kind" in rule.group_by:
        raise BadRequest("group_by: only an anomaly rule groups by kind", field="group_by")
    if not 10 <= rule.window <= 31 * 86400:
        raise BadRequest("window: from 10 s to 31 days", field="window")
    if why := _unmeetable(rule, rule.threshold):
        raise BadRequest(f"threshold: {why}", field="threshold")
    for i, scheduled in enumerate(rule.thresholds):
        if why := _unmeetable(rule, scheduled.threshold):
            raise BadRequest(f"thresholds.{i}.threshold: {why}", field=f"thresholds.{i}.threshold")
    if len(set(rule.group_by)) != len(rule.group_by):
        raise BadRequest("group_by: a field is named twice", field="group_by")
    if rule.signature is not None and signatures is not None and rule.signature not in signatures:
        raise BadRequest(f"signature: unknown signature {rule.signature!r}; see GET /api/v1/typical/signatures",
                         field="signature")
    return rule


def _check_anomaly_rule(rule: AlertRule) -> None:
    if rule.op != "above":
        raise BadRequest("op: an anomaly rule fires when a score is above the threshold", field="op")
    if bad := [name for name in rule.group_by if name not in ANOMALY_GROUP_BY]:
        raise BadRequest(f"group_by: an anomaly is grouped by {', '.join(ANOMALY_GROUP_BY)}, not {bad[0]}",
                         field="group_by")
    if rule.lookback < MIN_HISTORY * rule.window:
        raise BadRequest(f"lookback: the baseline must hold at least {MIN_HISTORY} windows", field="lookback")
    if rule.lookback > 30 * 86400:
        raise BadRequest("lookback: at most 30 days", field="lookback")


def group_key(group: dict[str, str]) -> str:
    """A stable key for a group's values ({} for a rule without group_by)."""
    return hashlib.sha1(orjson.dumps(group, option=orjson.OPT_SORT_KEYS)).hexdigest()[:32]


def alert_labels(rule: AlertRule, group: dict[str, str]) -> dict[str, str]:
    """What silences match and notifications carry: the rule's labels, its name and severity, the group."""
    return {**rule.labels, "alertname": rule.name, "severity": rule.severity, **group}
