"""The server's timed work: keyword anomaly rules, record expiry and the size cap, on a real store
and a real SQLite metadata store."""

import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import insert_text
from venus.meta.store import MetadataStore
from venus.tasks.housekeeping import enforce_size_cap, expire_records
from venus.tasks.keyword_rules import WATERMARK, detect_keyword_anomalies
from venus.tasks.periodic import PeriodicJob

RULE = {"title": "t", "desc": "d", "keyword": "Lost connection", "log_type": "flog", "module": "nova"}


@pytest.fixture
def meta(tmp_path):
    m = MetadataStore(f"sqlite:///{tmp_path / 'meta.sqlite'}")
    m.upgrade()
    yield m
    m.close()


def oslo(day, msg):
    return f"2026-05-{day:02d} 18:00:00.000 7 ERROR nova.db [-] {msg}"


def test_rules_record_the_new_lines_that_match_and_move_the_watermark(store, meta):
    meta.add_rule(RULE)
    off = meta.add_rule({**RULE, "title": "off"})
    meta.update_rule(off, {"flag": 0})
    meta.add_rule({**RULE, "title": "other service", "module": "neutron"})
    insert_text(store, oslo(6, "Lost connection to MySQL") + "\n" + oslo(6, "lost connection") + "\n")
    now = datetime.now(UTC) + timedelta(seconds=2)
    assert detect_keyword_anomalies(store, meta, now) == 1
    record, = meta.records()
    assert (record.title, record.logs) == ("t", "Lost connection to MySQL")
    assert meta.config()[WATERMARK] == str(int(now.replace(microsecond=0).timestamp()))
    assert detect_keyword_anomalies(store, meta, now + timedelta(seconds=5)) == 0  # nothing new


def test_expire_records_keeps_the_recent_ones(meta):
    window = {"start_time": datetime(2026, 5, 6), "end_time": datetime(2026, 5, 6, 0, 1)}
    meta.add_records([{"rule_id": "r", **{k: "x" for k in RULE}, "logs": "l", "line_id": "i", **window}])
    assert expire_records(meta, 1, datetime.now(UTC) + timedelta(hours=23)) == 0
    assert expire_records(meta, 1, datetime.now(UTC) + timedelta(days=1, seconds=1)) == 1
    assert meta.records() == []


def test_size_cap_drops_the_oldest_days_but_never_the_newest(store):
    for day in (3, 4, 5, 6):
        insert_text(store, "\n".join(oslo(day, f"line {i}") for i in range(100)) + "\n")
    assert [p for p, _ in store.partitions()] == ["20260503", "20260504", "20260505", "20260506"]
    assert enforce_size_cap(store, 0) == []
    assert enforce_size_cap(store, 1e-9) == ["20260503", "20260504", "20260505"]
    assert [p for p, _ in store.partitions()] == ["20260506"]
    assert store.query("SELECT count() FROM logs").rows[0][0] == 100


def test_a_failing_periodic_run_does_not_end_the_job():
    calls = []

    def run():
        calls.append(1)
        raise RuntimeError("boom")

    job = PeriodicJob("test", 0.01, run).start()
    deadline = datetime.now() + timedelta(seconds=5)
    while len(calls) < 3 and datetime.now() < deadline:
        time.sleep(0.01)
    job.stop()
    assert len(calls) >= 3
