"""Retention on a real store: days from arrival for every line, rules per service, program and
level (the first match wins, 0 keeps forever), the table's TTL as the backstop, and the size cap
that drops the oldest days once each."""

from datetime import UTC, datetime, timedelta

from tests.conftest import insert_text
from venus.meta.custom_config import RetentionRule, check_value, defaults
from venus.tasks.retention import apply_retention, delete_expired, enforce_size_cap, ttl_days

def oslo(day, level, msg, hour=18):
    return f"2026-05-{day:02d} {hour:02d}:00:00.000 7 {level} nova.db [-] {msg}"


def levels(store):
    return dict(store.query("SELECT level, count() FROM logs GROUP BY level ORDER BY level").rows)


def fill(store) -> datetime:
    """Lines of three levels from nova and one from neutron; returns when they arrived."""
    insert_text(store, "\n".join(oslo(6, lvl, f"{lvl} {i}") for lvl in ("DEBUG", "INFO", "ERROR") for i in range(10))
                + "\n")
    insert_text(store, oslo(6, "DEBUG", "neutron debug") + "\n", path="/var/log/neutron/neutron-server.log")
    return datetime.now(UTC)


def test_lines_older_than_the_days_disappear_and_younger_ones_stay(store):
    now = fill(store)
    assert delete_expired(store, 30, [], now + timedelta(days=29)) == 0
    assert delete_expired(store, 30, [], now + timedelta(days=30, seconds=5)) == 31
    assert levels(store) == {}


def test_days_count_from_arrival_not_from_the_line_time(store):
    now = fill(store)  # the lines say May 2026; they arrived now
    assert delete_expired(store, 1, [], now) == 0


def test_per_level_retention_keeps_errors_longer_than_debug(store):
    now = fill(store)
    rules = [RetentionRule(level="DEBUG", days=3), RetentionRule(level="ERROR", days=90)]
    assert delete_expired(store, 30, rules, now + timedelta(days=4)) == 11
    assert levels(store) == {"ERROR": 10, "INFO": 10}
    assert delete_expired(store, 30, rules, now + timedelta(days=31)) == 10
    assert levels(store) == {"ERROR": 10}
    assert delete_expired(store, 30, rules, now + timedelta(days=91)) == 10


def test_the_first_matching_rule_wins_and_zero_days_keeps_forever(store):
    now = fill(store)
    rules = [RetentionRule(service="neutron", days=0), RetentionRule(level="DEBUG", days=3)]
    assert delete_expired(store, 30, rules, now + timedelta(days=4)) == 10  # nova's DEBUG, not neutron's
    assert delete_expired(store, 30, rules, now + timedelta(days=3650)) == 20
    assert store.query("SELECT service, level FROM logs").rows == [("neutron", "DEBUG")]


def test_nothing_is_deleted_when_everything_is_kept_forever(store):
    now = fill(store)
    assert delete_expired(store, 0, [RetentionRule(level="DEBUG", days=0)], now + timedelta(days=3650)) == 0


def test_the_ttl_is_the_longest_days_or_none_when_something_is_kept_forever():
    assert ttl_days(30, []) == 30
    assert ttl_days(30, [RetentionRule(level="ERROR", days=90), RetentionRule(level="DEBUG", days=3)]) == 90
    assert ttl_days(30, [RetentionRule(service="keystone", days=0)]) == 0
    assert ttl_days(0, [RetentionRule(level="DEBUG", days=3)]) == 0


def test_the_retention_task_sets_the_ttl_and_applies_the_rules(store):
    now = fill(store)
    config = {**defaults(30), "log_retention": check_value("log_retention", [{"level": "debug", "days": 2}])}
    result = apply_retention(store, config, now + timedelta(days=3))
    assert result == {"deleted_lines": 11, "dropped_days": []}
    assert store.retention_days == 30
    engine = store.query("SELECT engine_full FROM system.tables WHERE name = 'logs'").rows[0][0]
    assert "TTL received + toIntervalDay(30)" in engine


def test_size_cap_drops_the_oldest_days_once_each_and_stops_under_the_cap(store):
    for day in (3, 4, 5, 6):
        insert_text(store, "\n".join(oslo(day, "INFO", f"line {i}") for i in range(100)) + "\n")
    sizes = dict(store.partitions())
    assert list(sizes) == ["20260503", "20260504", "20260505", "20260506"]
    assert enforce_size_cap(store, 0) == []
    cap = (sizes["20260505"] + sizes["20260506"]) / 1e9  # room for the two newest days exactly
    assert enforce_size_cap(store, cap) == ["20260503", "20260504"]
    assert [p for p, _ in store.partitions()] == ["20260505", "20260506"]
    assert enforce_size_cap(store, cap) == []  # under the cap: nothing more, nothing again


def test_size_cap_never_drops_the_newest_day(store):
    for day in (5, 6):
        insert_text(store, "\n".join(oslo(day, "INFO", f"line {i}") for i in range(100)) + "\n")
    assert enforce_size_cap(store, 1e-9) == ["20260505"]
    assert store.query("SELECT count() FROM logs").rows[0][0] == 100
