"""An alert's latest episode, read from the history: when its group first breached and when it
fired. Root-cause analysis of an alert looks at the lines of that stretch (and before it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from venus.alerts.states import FIRING, PENDING
from venus.meta.models import AlertEvent
from venus.meta.store import MetadataStore, from_db


@dataclass(frozen=True)
class Episode:
    group_key: str
    labels: dict[str, str]
    breached_at: datetime  # the evaluation that first found the breach (pending, or firing at once)
    fired_at: datetime | None  # None while it is still pending


def latest_episode(meta: MetadataStore, rule_id: str, group_key: str | None = None) -> Episode | None:
    """The newest episode of the rule (of one group when `group_key` is given), or None when the
    rule never breached within the history kept."""
    changes = (select(AlertEvent).where(AlertEvent.rule_id == rule_id, AlertEvent.kind == "state",
                                        AlertEvent.state.in_((PENDING, FIRING)))
               .order_by(AlertEvent.time.desc(), AlertEvent.id.desc()))
    if group_key:
        changes = changes.where(AlertEvent.group_key == group_key)
    with meta.session() as s:
        newest = s.scalars(changes).first()
        if newest is None:
            return None
        start = newest
        if newest.state == FIRING and newest.previous == PENDING:  # it breached first when it went pending
            start = s.scalars(changes.where(AlertEvent.group_key == newest.group_key, AlertEvent.state == PENDING,
                                            AlertEvent.time <= newest.time)).first() or newest
        return Episode(newest.group_key, dict(newest.labels), from_db(start.time),  # type: ignore[arg-type]
                       from_db(newest.time) if newest.state == FIRING else None)
