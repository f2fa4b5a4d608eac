"""Keeping the metadata store small: anomaly records, the alert history, sent or failed
notifications and task runs past their days."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import delete

from venus.meta.models import AlertEvent, AnomalyRecord, Notification, TaskRun
from venus.meta.store import MetadataStore, to_db


def expire_records(meta: MetadataStore, days: int, now: datetime | None = None) -> int:
    """Delete anomaly records older than `days` days (0: keep them); returns how many went."""
    if days <= 0:
        return 0
    cut = to_db((now or datetime.now(timezone.utc)) - timedelta(days=days))
    with meta.session() as s:
        return s.execute(delete(AnomalyRecord).where(AnomalyRecord.create_time < cut)).rowcount or 0


def expire_history(meta: MetadataStore, days: int, now: datetime | None = None) -> int:
    """Delete alert events, finished notifications and task runs older than `days` days (0: keep)."""
    if days <= 0:
        return 0
    cut = to_db((now or datetime.now(timezone.utc)) - timedelta(days=days))
    with meta.session() as s:
        gone = s.execute(delete(AlertEvent).where(AlertEvent.time < cut)).rowcount or 0
        gone += s.execute(delete(Notification).where(Notification.status != "pending",
                                                     Notification.create_time < cut)).rowcount or 0
        gone += s.execute(delete(TaskRun).where(TaskRun.started < cut)).rowcount or 0
    return gone


def clean_up(meta: MetadataStore, config: dict[str, str], now: datetime | None = None) -> dict:
    """The `cleanup` task with the current runtime settings."""
    return {"anomaly_records": expire_records(meta, int(config["anomaly_record_save_days"]), now),
            "history_rows": expire_history(meta, int(config["alert_history_days"]), now)}
