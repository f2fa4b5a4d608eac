"""One evaluation of every enabled alert rule: measure, advance each group's state, write the
history, queue notifications (unless silenced), then deliver what is due. Run by the scheduler's
`alerts` task; `preview` answers "what would this rule do now" without writing anything."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import orjson
from sqlalchemy import delete, select

from venus.alerts.delivery import deliver_due
from venus.alerts.measure import Measure, measure, quiet_measure, rule_node, sample_lines, search_query
from venus.alerts.rules import AlertRule, alert_labels
from venus.alerts.silences import silence_active, silences_labels
from venus.alerts.states import FIRING, OK, RESOLVED, GroupState, advance, notification_due, notified
from venus.analysis.typical import Signature
from venus.errors import VenusError
from venus.jsonfmt import dumps
from venus.meta.models import AlertEvent, AlertRuleRow, AlertStateRow, Channel, Notification, Silence
from venus.meta.store import MetadataStore, from_db, to_db
from venus.query.ast import Node
from venus.query.search import iso_z
from venus.store.clickhouse import ClickHouseStore

log = logging.getLogger(__name__)

FORGET_AFTER = timedelta(days=1)  # an ok or resolved group with no line for this long is forgotten


def _state_of(row: AlertStateRow | None) -> GroupState | None:
    if row is None:
        return None
    return GroupState(row.state, from_db(row.state_since), from_db(row.pending_since),  # type: ignore[arg-type]
                      from_db(row.last_notified))


def evaluate_rule(store: ClickHouseStore, rule: AlertRule, node: Node, now: datetime,
                  known: dict[str, AlertStateRow]) -> tuple[dict[str, Measure], float]:
    """Each group's measure (known groups without lines included) and the threshold in force."""
    found = measure(store, rule, node, now)
    for key, row in known.items():
        # The state keeps the alert's labels; the group is the group_by fields among them.
        found.setdefault(key, quiet_measure(rule, {name: row.labels.get(name, "") for name in rule.group_by}))
    return found, rule.threshold_at(now)


def preview(store: ClickHouseStore, rule: AlertRule, signatures: dict[str, Signature], now: datetime) -> dict:
    """What the rule measures now and which groups breach, without touching any state."""
    measures, threshold = evaluate_rule(store, rule, rule_node(rule, signatures), now, {})
    groups = [{"group": m.group, "value": m.value, "count": m.count, "total": m.total,
               "breached": rule.breached(m.value, threshold)} for m in measures.values()]
    groups.sort(key=lambda g: (not g["breached"], -g["value"]))
    return {"at": iso_z(now), "threshold": threshold, "groups": groups,
            "breached": sum(1 for g in groups if g["breached"])}


BACKTEST_POINTS = 96  # evaluations over the stretch a backtest covers (every 15 minutes of a day)
ANOMALY_BACKTEST_POINTS = 24  # for an anomaly rule (every hour of a day)


def backtest(store: ClickHouseStore, rule: AlertRule, signatures: dict[str, Signature], end: datetime,
             span: float = 86400, points: int = BACKTEST_POINTS) -> dict:
    """What the rule would have found over the `span` seconds before `end`: evaluated at `points`
    evenly spaced moments, each over its own window, with its highest value and the groups that
    breached then. `for` is not applied: this shows where the threshold was crossed, which is
    where a rule with `for: 0` fires."""
    if rule.condition == "anomaly":  # each moment compares with its own baseline: dearer to evaluate
        points = min(points, ANOMALY_BACKTEST_POINTS)
    node = rule_node(rule, signatures)
    step = span / points
    moments = []
    for i in range(points):
        moment = end - timedelta(seconds=span - step * (i + 1))
        measures, threshold = evaluate_rule(store, rule, node, moment, {})
        breached = sorted((m for m in measures.values() if rule.breached(m.value, threshold)), key=lambda m: -m.value)
        moments.append({"at": iso_z(moment), "threshold": threshold,
                        "value": max((m.value for m in measures.values()), default=0),
                        "breached": len(breached), "groups": [m.group for m in breached[:5]]})
    return {"step_seconds": step, "moments": moments, "breached_moments": sum(1 for m in moments if m["breached"])}


def evaluate_all(store: ClickHouseStore, meta: MetadataStore, signatures: dict[str, Signature],
                 external_url: str, now: datetime | None = None) -> dict:
    """The `alerts` task: every enabled rule, then the notifications due."""
    now = now or datetime.now(timezone.utc)
    with meta.session() as s:
        rows = list(s.scalars(select(AlertRuleRow).where(AlertRuleRow.enabled.is_(True)).order_by(AlertRuleRow.name)))
        silences = [x for x in s.scalars(select(Silence).where(Silence.ends_at > to_db(now)))
                    if silence_active(x.starts_at, x.ends_at, x.weekly, now)]
        channels = {c.name: c.id for c in s.scalars(select(Channel))}
    summary: dict = {"rules": len(rows), "groups": 0, "firing": 0, "queued": 0, "errors": []}
    for row in rows:
        try:
            _evaluate_row(store, meta, row, signatures, silences, channels, external_url, now, summary)
        except VenusError as exc:  # one broken rule (a signature gone, a store timeout) spoils no other
            log.error("alert rule %r: %s", row.name, exc.message)
            summary["errors"].append({"rule": row.name, "error": exc.message})
    summary["notifications"] = deliver_due(meta, now)
    return summary


def _evaluate_row(store: ClickHouseStore, meta: MetadataStore, row: AlertRuleRow, signatures: dict[str, Signature],
                  silences: list[Silence], channels: dict[str, str], external_url: str, now: datetime,
                  summary: dict) -> None:
    rule = AlertRule.model_validate(row.spec)
    if rule.signature and rule.signature not in signatures:
        raise VenusError(f"the typical-error signature {rule.signature!r} is no longer in the catalogue")
    with meta.session() as s:
        known = {st.group_key: st for st in s.scalars(select(AlertStateRow).where(AlertStateRow.rule_id == row.id))}
    node = rule_node(rule, signatures)
    measures, threshold = evaluate_rule(store, rule, node, now, known)
    with meta.session() as s:
        for key, m in measures.items():
            breached = rule.breached(m.value, threshold)
            stored = known.get(key)
            if stored is None and not breached:
                continue  # groups that never breached are not kept
            prev = _state_of(stored)
            state = advance(prev, breached, now, rule.for_)
            labels = alert_labels(rule, m.group)
            silenced = any(silences_labels(x.matchers, labels) for x in silences)
            before = prev.state if prev else OK
            if state.state != before:
                s.add(AlertEvent(time=to_db(now), rule_id=row.id, rule_name=rule.name, group_key=key, labels=labels,
                                 kind="state", state=state.state, previous=before, value=m.value,
                                 threshold=threshold))
                if state.state == FIRING and silenced:
                    s.add(AlertEvent(time=to_db(now), rule_id=row.id, rule_name=rule.name, group_key=key,
                                     labels=labels, kind="notification", state=FIRING, value=m.value,
                                     threshold=threshold, status="silenced"))
            event = notification_due(state, prev, now, rule.renotify, rule.notify_resolved, silenced)
            if event:
                fired = prev.state_since if event == RESOLVED and prev else state.state_since
                payload = _payload(store, rule, row.id, node, m, key, labels, threshold, fired, event,
                                   external_url, now)
                for name in rule.channels:
                    if name not in channels:
                        log.error("alert rule %r names the channel %r, which does not exist", rule.name, name)
                        continue
                    s.add(Notification(channel_id=channels[name], rule_id=row.id, rule_name=rule.name, group_key=key,
                                       labels=labels, event=event, payload=payload, status="pending", attempts=0,
                                       next_attempt=to_db(now), create_time=to_db(now)))
                    summary["queued"] += 1
                if event == FIRING:
                    state = notified(state, now)
            summary["groups"] += 1
            summary["firing"] += state.state == FIRING
            _save_state(s, stored, row.id, key, labels, state, m, threshold, now)
        # Quiet groups that are over and done are forgotten, so the table holds what matters.
        s.execute(delete(AlertStateRow).where(AlertStateRow.rule_id == row.id,
                                              AlertStateRow.state.in_((OK, RESOLVED)),
                                              AlertStateRow.state_since < to_db(now - FORGET_AFTER)))


def _save_state(s, stored: AlertStateRow | None, rule_id: str, key: str, labels: dict, state: GroupState,  # type: ignore[no-untyped-def]
                m: Measure, threshold: float, now: datetime) -> None:
    values = {"labels": labels, "state": state.state, "state_since": to_db(state.state_since),
              "pending_since": state.pending_since and to_db(state.pending_since), "value": m.value,
              "threshold": threshold, "last_eval": to_db(now),
              "last_notified": state.last_notified and to_db(state.last_notified)}
    if stored is None:
        s.add(AlertStateRow(rule_id=rule_id, group_key=key, **values))
    else:
        merged = s.merge(stored)
        for name, value in values.items():
            setattr(merged, name, value)


ANOMALY_FIELDS = ("kind", "template_id", "service", "host", "level", "count", "baseline", "score", "first_seen",
                  "reason")
MAX_PAYLOAD_FINDINGS = 10


def lines_of(rule: AlertRule, m: Measure) -> dict[str, str]:
    """The field values that find the lines behind a measure: its group, or for an anomaly rule
    its highest-scoring finding's template, service and host."""
    if rule.condition != "anomaly":
        return m.group
    if m.findings:
        top = m.findings[0]
        return {"template_id": str(top["template_id"]), "service": top["service"], "host": top["host"]}
    return {name: value for name, value in m.group.items() if name != "kind"}


def _payload(store: ClickHouseStore, rule: AlertRule, rule_id: str, node, m: Measure, key: str,  # type: ignore[no-untyped-def]
             labels: dict, threshold: float, fired: datetime, event: str, external_url: str, now: datetime) -> dict:
    """What every channel renders: the alert, its group, the counts, sample lines and a link."""
    samples = sample_lines(store, rule, node, m, now, rule.samples)
    link = f"{external_url}/api/v1/search?" + urlencode({
        "q": search_query(node, lines_of(rule, m)), "since": iso_z(now - timedelta(seconds=rule.span)),
        "until": iso_z(now)})
    payload = {
        "status": event, "rule": {"id": rule_id, "name": rule.name, "severity": rule.severity,
                                  "description": rule.description, "condition": rule.condition, "op": rule.op,
                                  "window": rule.window, "query": rule.query},
        "labels": labels, "group": m.group, "group_key": key, "value": m.value, "threshold": threshold,
        "count": m.count, "total": m.total,
        "samples": [{k: line[k] for k in ("ts", "host", "program", "level", "message", "id")} for line in samples],
        "anomalies": [{k: f.get(k) for k in ANOMALY_FIELDS} for f in m.findings[:MAX_PAYLOAD_FINDINGS]],
        "link": link, "external_url": external_url, "starts_at": iso_z(fired),
        "ends_at": iso_z(now) if event == RESOLVED else None,
    }
    return orjson.loads(dumps(payload))  # times as RFC 3339 text: the payload is stored as JSON
