"""Keeping the stores within the operator's limits: anomaly records' age and the logs' total size.

The log retention in days is the store's own TTL (ClickHouseStore.set_retention). The size cap
drops whole days, oldest first, never today's (../shared/reference/venus-v1-api.md §4.2, whose
loop deleted the same index again and again).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from venus.meta.store import MetadataStore
from venus.store.clickhouse import ClickHouseStore

log = logging.getLogger(__name__)


def expire_records(meta: MetadataStore, days: int, now: datetime | None = None) -> int:
    """Delete anomaly records older than `days` days; returns how many went."""
    now = now or datetime.now(timezone.utc)
    return meta.delete_records_before((now - timedelta(days=days)).replace(tzinfo=None))


def enforce_size_cap(store: ClickHouseStore, max_gb: float) -> list[str]:
    """Drop the oldest days of logs while the store is over `max_gb` GB on disk (0: no cap);
    returns the days dropped."""
    if max_gb <= 0:
        return []
    cap = max_gb * 1e9
    days = store.partitions()  # oldest first: (day, bytes)
    total = sum(size for _, size in days)
    dropped = []
    for day, size in days[:-1]:
        if total <= cap:
            break
        store.drop_partition(day)
        total -= size
        dropped.append(day)
        log.warning("size cap %.3g GB: dropped the logs of %s (%d bytes)", max_gb, day, size)
    return dropped


def housekeeping(store: ClickHouseStore, meta: MetadataStore) -> None:
    """One run with the operator's current settings (the /v1 custom config)."""
    config = meta.config()
    days = config.get("anomaly_record_save_days", "")
    if days.isdigit():
        expire_records(meta, int(days))
    cap = config.get("log_max_gb", "")
    try:
        enforce_size_cap(store, float(cap))
    except ValueError:
        log.error("log_max_gb is %r, not a number; no size cap applied", cap)
