"""The server's timed work on a real store and a real SQLite metadata store: keyword anomaly
rules (watermarks, windows, case, notifications), retention by age and size, clean-up."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.alerting import WebhookReceiver, add_channel
from tests.conftest import insert_text
from venus.alerts.delivery import deliver_due
from venus.meta.models import AnomalyRecord, AnomalyRule
from venus.meta.store import to_db
from venus.tasks.cleanup import expire_records
from venus.tasks.keyword_rules import LAG, WINDOW, detect_keyword_anomalies

RULE = {"title": "t", "desc": "d", "keyword": "Lost connection", "log_type": "flog", "module": "nova"}


def oslo(day, msg, level="ERROR"):
    return f"2026-05-06 18:00:00.000 7 {level} nova.db [-] {msg}".replace("05-06", f"05-{day:02d}")


def backdate(meta, rule_id, moment):
    """A rule made at `moment` (its first window starts there)."""
    with meta.session() as s:
        s.get(AnomalyRule, rule_id).create_time = to_db(moment)


def test_a_window_of_matches_becomes_one_record_with_count_and_samples(store, meta):
    start = datetime.now(UTC) - timedelta(minutes=1)
    backdate(meta, meta.add_rule(RULE), start)
    insert_text(store, "".join(oslo(6, f"Lost connection to MySQL #{i}") + "\n" for i in range(7)) +
                oslo(6, "lost connection") + "\n")
    now = datetime.now(UTC) + LAG + timedelta(seconds=2)
    assert detect_keyword_anomalies(store, meta, now) == 1
    record, = meta.records()
    assert (record.title, record.count, record.logs) == ("t", 7, "Lost connection to MySQL #0")
    assert [s["message"] for s in record.samples] == [f"Lost connection to MySQL #{i}" for i in range(5)]
    assert record.line_id == record.samples[0]["id"]


def test_disabled_rules_and_other_services_make_no_record(store, meta):
    start = datetime.now(UTC) - timedelta(minutes=1)
    off = meta.add_rule({**RULE, "title": "off"})
    meta.update_rule(off, {"flag": 0})
    backdate(meta, off, start)
    backdate(meta, meta.add_rule({**RULE, "title": "other", "module": "neutron"}), start)
    insert_text(store, oslo(6, "Lost connection to MySQL") + "\n")
    assert detect_keyword_anomalies(store, meta, datetime.now(UTC) + LAG + timedelta(seconds=2)) == 0


def test_a_rule_with_a_channel_notifies_it_once_per_record(store, meta):
    hook = WebhookReceiver()
    try:
        add_channel(meta, "ops-hook", "webhook", {"url": hook.url})
        backdate(meta, meta.add_rule({**RULE, "channels": ["ops-hook"]}), datetime.now(UTC) - timedelta(minutes=1))
        insert_text(store, oslo(6, "Lost connection to MySQL #1") + "\n" + oslo(6, "Lost connection to MySQL #2") + "\n")
        now = datetime.now(UTC) + LAG + timedelta(seconds=2)
        detect_keyword_anomalies(store, meta, now, external_url="https://venus.example.org")
        assert deliver_due(meta, now) == {"sent": 1, "retrying": 0, "failed": 0}
        assert deliver_due(meta, now) == {"sent": 0, "retrying": 0, "failed": 0}
        body, = hook.bodies
        assert (body["status"], body["rule"]["name"], body["count"]) == ("anomaly", "t", 2)
        assert [line["message"] for line in body["samples"]] == ["Lost connection to MySQL #1",
                                                                 "Lost connection to MySQL #2"]
        assert body["link"].startswith("https://venus.example.org/api/v1/search?q=")
    finally:
        hook.close()


def test_match_case_off_finds_any_case(store, meta):
    backdate(meta, meta.add_rule({**RULE, "match_case": False}), datetime.now(UTC) - timedelta(minutes=1))
    insert_text(store, oslo(6, "LOST CONNECTION to MySQL") + "\n" + oslo(6, "lost connection") + "\n")
    detect_keyword_anomalies(store, meta, datetime.now(UTC) + LAG + timedelta(seconds=2))
    assert [r.count for r in meta.records()] == [2]


def test_the_watermark_examines_each_stretch_once_and_skips_none(store, meta):
    rule_id = meta.add_rule(RULE)
    made = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)  # the server was down 3 hours
    backdate(meta, rule_id, made)
    insert_text(store, oslo(6, "Lost connection to MySQL") + "\n")
    now = datetime.now(UTC) + LAG + timedelta(seconds=2)
    assert detect_keyword_anomalies(store, meta, now) == 1
    assert detect_keyword_anomalies(store, meta, now + timedelta(minutes=5)) == 0  # nothing counted twice
    record, = meta.records()
    assert record.start_time < to_db(datetime.now(UTC)) <= record.end_time
    assert record.end_time - record.start_time <= WINDOW
    rule = meta.rule(rule_id)
    assert rule.watermark == to_db(now + timedelta(minutes=5) - LAG).replace(microsecond=0)


def test_records_expire_after_their_days_and_zero_keeps_them(store, meta):
    backdate(meta, meta.add_rule(RULE), datetime.now(UTC) - timedelta(minutes=1))
    insert_text(store, oslo(6, "Lost connection to MySQL") + "\n")
    detect_keyword_anomalies(store, meta, datetime.now(UTC) + LAG + timedelta(seconds=2))
    assert expire_records(meta, 0, datetime.now(UTC) + timedelta(days=400)) == 0
    assert expire_records(meta, 1, datetime.now(UTC) + timedelta(hours=23)) == 0
    assert expire_records(meta, 1, datetime.now(UTC) + timedelta(days=1, seconds=1)) == 1
    with meta.session() as s:
        assert list(s.scalars(select(AnomalyRecord))) == []
