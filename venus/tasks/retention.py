"""Retention: logs older than their days, and the oldest days while the store is over its size cap.

Days count from when a line arrived (`received`), so an imported archive is not deleted on the
spot. `log_save_days` covers every line; `log_retention` rules keep some longer or shorter (the
first rule that matches a line wins). The task deletes exactly what is due with one parameterised
DELETE; the table's TTL is set to the longest of the days as a backstop that merges apply even
when the task does not run. The size cap drops whole days, oldest first, never today's, each once
(../shared/reference/venus-v1-api.md §4.2: the original's loop deleted the same index again and
again).
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from venus.meta.custom_config import RetentionRule, retention_rules
from venus.store.clickhouse import ClickHouseStore

log = logging.getLogger(__name__)

FOREVER_DAYS = 10**9  # 0 days means forever; in the arithmetic it is a number no line reaches


def ttl_days(default_days: int, rules: list[RetentionRule]) -> int:
    """The table's TTL: the longest of the days, 0 (none) when anything is kept forever."""
    days = [default_days, *(r.days for r in rules)]
    return 0 if 0 in days else max(days)


def set_table_ttl(store: ClickHouseStore, config: dict[str, str]) -> None:
    """The table's TTL from the runtime settings (at start-up, when they change, each task run)."""
    store.set_retention(ttl_days(int(config["log_save_days"]), retention_rules(config)))


def expiry_sql(default_days: int, rules: list[RetentionRule]) -> tuple[str, dict] | None:
    """The WHERE of the lines due for deletion at {now:UInt64} (epoch seconds), or None when
    everything is kept forever."""
    every = [default_days, *(r.days for r in rules)]
    if not any(every):
        return None
    params: dict = {}
    branches = []
    for i, rule in enumerate(rules):
        tests = []
        for name in ("service", "program", "level"):
            value = getattr(rule, name)
            if value is not None:
                tests.append(f"`{name}` = {{r{i}_{name}:String}}")
                params[f"r{i}_{name}"] = value
        params[f"r{i}_days"] = rule.days or FOREVER_DAYS
        branches.append(f"{' AND '.join(tests)}, {{r{i}_days:UInt64}}")
    params["default_days"] = default_days or FOREVER_DAYS
    keep = f"multiIf({', '.join(branches)}, {{default_days:UInt64}})" if branches else "{default_days:UInt64}"
    # The first clause lets the engine skip parts that hold only recent lines.
    params["shortest"] = min(d for d in every if d) * 86400
    where = ("toUInt64(toUnixTimestamp(received)) + {shortest:UInt64} < {now:UInt64} AND "
             f"toUInt64(toUnixTimestamp(received)) + 86400 * {keep} < {{now:UInt64}}")
    return where, params


def delete_expired(store: ClickHouseStore, default_days: int, rules: list[RetentionRule],
                   now: datetime | None = None) -> int:
    """Delete the lines whose days are over; returns how many went."""
    expiry = expiry_sql(default_days, rules)
    if expiry is None:
        return 0
    where, params = expiry
    params["now"] = int((now or datetime.now(timezone.utc)).timestamp())
    return store.delete(where, params)


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


def apply_retention(store: ClickHouseStore, config: dict[str, str], now: datetime | None = None) -> dict:
    """The `retention` task with the current runtime settings."""
    default_days, rules = int(config["log_save_days"]), retention_rules(config)
    set_table_ttl(store, config)
    deleted = delete_expired(store, default_days, rules, now)
    dropped = enforce_size_cap(store, float(config["log_max_gb"]))
    return {"deleted_lines": deleted, "dropped_days": dropped}
