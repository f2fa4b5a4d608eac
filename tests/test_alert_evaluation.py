"""Alert rules evaluated on a real store and a real SQLite metadata store, at chosen moments:
group-by on two dimensions, time-of-day thresholds, ratios, `for`, resolution, absence, and the
notifications they send to a real HTTP receiver (once, again after renotify, never while silenced,
retried with back-off)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.alerting import WebhookReceiver, add_channel, add_rule
from tests.conftest import insert_text
from venus.alerts.delivery import deliver_due
from venus.alerts.engine import backtest, evaluate_all
from venus.alerts.rules import parse_rule
from venus.meta.models import AlertEvent, AlertStateRow, Silence
from venus.meta.store import to_db

WED_1805 = datetime(2026, 5, 6, 18, 5, tzinfo=UTC)  # a Wednesday


def lines(store, count, program="nova-compute", level="ERROR", host="cmp1", at=WED_1805 - timedelta(minutes=2),
          service="nova"):
    stamp = at.strftime("%Y-%m-%d %H:%M:%S")
    text = "".join(f"{stamp}.{i % 1000:03d} 7 {level} {service}.x [-] line {i}\n" for i in range(count))
    insert_text(store, text, path=f"/var/log/{service}/{program}.log", host=host)


def states(meta):
    with meta.session() as s:
        return {tuple(sorted(r.labels.items())): r.state for r in s.scalars(select(AlertStateRow))}


def group_states(meta, *dims):
    return {tuple(labels[d] for d in dims): state for labels, state in
            ((dict(k), v) for k, v in states(meta).items())}


def run(store, meta, now):
    return evaluate_all(store, meta, {}, "http://venus.test", now)


def test_group_by_two_dimensions_fires_only_the_group_over_the_threshold(store, meta):
    add_rule(meta, name="errors", query="level:ERROR", group_by=["host", "program"], threshold=5)
    lines(store, 10, host="cmp1")
    lines(store, 3, host="cmp2")
    lines(store, 10, host="cmp1", program="nova-conductor", level="INFO")
    lines(store, 6, host="cmp2", program="nova-conductor")
    run(store, meta, WED_1805)
    assert group_states(meta, "host", "program") == {("cmp1", "nova-compute"): "firing",
                                                      ("cmp2", "nova-conductor"): "firing"}


def test_a_time_of_day_threshold_applies_within_its_window_and_the_rule_threshold_outside(store, meta):
    # Working hours in Shanghai (Mon-Fri 09:00-18:00) tolerate 100 errors; other times 50.
    add_rule(meta, name="errors", query="level:ERROR", threshold=50, timezone="Asia/Shanghai",
             thresholds=[{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "18:00",
                          "threshold": 100}])
    office = datetime(2026, 5, 6, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, a Wednesday
    lines(store, 70, at=office - timedelta(minutes=1))
    summary = run(store, meta, office)
    assert (summary["firing"], states(meta)) == (0, {})
    evening = datetime(2026, 5, 6, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai
    lines(store, 70, at=evening - timedelta(minutes=1))
    run(store, meta, evening)
    assert list(states(meta).values()) == ["firing"]
    with meta.session() as s:
        assert s.scalars(select(AlertStateRow.threshold)).one() == 50
    saturday = datetime(2026, 5, 9, 2, 0, tzinfo=UTC)  # 10:00 on a Saturday: not working hours
    lines(store, 70, at=saturday - timedelta(minutes=1))
    assert run(store, meta, saturday)["firing"] == 1


def test_a_ratio_rule_compares_errors_with_all_lines(store, meta):
    add_rule(meta, name="error ratio", query="service:nova", condition="ratio", numerator="level:ERROR",
             threshold=0.5, group_by=["program"])
    lines(store, 6, program="nova-compute")
    lines(store, 4, program="nova-compute", level="INFO", at=WED_1805 - timedelta(minutes=1))
    lines(store, 2, program="nova-api")
    lines(store, 8, program="nova-api", level="INFO", at=WED_1805 - timedelta(minutes=1))
    run(store, meta, WED_1805)
    assert group_states(meta, "program") == {("nova-compute",): "firing"}
    with meta.session() as s:
        assert s.scalars(select(AlertStateRow.value)).one() == pytest.approx(0.6)


def test_a_breach_is_pending_for_the_for_duration_then_fires_then_resolves(store, meta):
    add_rule(meta, name="errors", query="level:ERROR", threshold=5, window="10m", **{"for": "2m"})
    lines(store, 10, at=WED_1805 - timedelta(minutes=1))
    seen = []
    for minutes in (0, 1, 2, 3, 12):
        run(store, meta, WED_1805 + timedelta(minutes=minutes))
        seen.append(next(iter(states(meta).values())))
    assert seen == ["pending", "pending", "firing", "firing", "resolved"]
    with meta.session() as s:
        changes = [(e.previous, e.state) for e in s.scalars(
            select(AlertEvent).where(AlertEvent.kind == "state").order_by(AlertEvent.id))]
    assert changes == [("ok", "pending"), ("pending", "firing"), ("firing", "resolved")]


def test_a_breach_shorter_than_for_goes_back_to_ok_without_firing(store, meta):
    add_rule(meta, name="errors", query="level:ERROR", threshold=5, window="1m", **{"for": "5m"})
    lines(store, 10, at=WED_1805 - timedelta(seconds=30))
    run(store, meta, WED_1805)
    run(store, meta, WED_1805 + timedelta(minutes=2))
    assert list(states(meta).values()) == ["ok"]


def test_an_absence_rule_fires_for_the_host_that_stopped_logging(store, meta):
    add_rule(meta, name="silent hosts", condition="absence", group_by=["host"], window="5m", lookback="1h")
    lines(store, 3, host="cmp1", level="INFO", at=WED_1805 - timedelta(minutes=1))
    lines(store, 3, host="cmp2", level="INFO", at=WED_1805 - timedelta(minutes=15))
    run(store, meta, WED_1805)
    assert group_states(meta, "host") == {("cmp2",): "firing"}
    with meta.session() as s:
        assert s.scalars(select(AlertStateRow.value)).one() == pytest.approx(15 * 60, abs=1)
    lines(store, 1, host="cmp2", level="INFO", at=WED_1805 + timedelta(seconds=30))
    run(store, meta, WED_1805 + timedelta(minutes=1))
    assert group_states(meta, "host") == {("cmp2",): "resolved"}


def test_a_count_below_rule_fires_when_a_known_group_goes_quiet(store, meta):
    add_rule(meta, name="few", query="service:nova", condition="count", op="below", threshold=5,
             group_by=["host"], window="5m")
    lines(store, 3, host="cmp1", level="INFO")
    run(store, meta, WED_1805)
    assert group_states(meta, "host") == {("cmp1",): "firing"}
    run(store, meta, WED_1805 + timedelta(minutes=10))  # no line at all now: still below
    assert group_states(meta, "host") == {("cmp1",): "firing"}


@pytest.fixture
def hook():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


def test_a_firing_group_is_notified_once_then_again_after_renotify(store, meta, hook):
    add_channel(meta, "ops", "webhook", {"url": hook.url})
    add_rule(meta, name="errors", query="level:ERROR", threshold=5, group_by=["program"], channels=["ops"],
             renotify="1h", window="10m")
    lines(store, 10)
    for minutes in (0, 1, 5):
        run(store, meta, WED_1805 + timedelta(minutes=minutes))
    assert [(b["status"], b["group"], b["count"]) for b in hook.bodies] == [
        ("firing", {"program": "nova-compute"}, 10)]
    body = hook.bodies[0]
    assert len(body["samples"]) == 5 and body["samples"][0]["message"].startswith("line ")
    assert body["link"].startswith("http://venus.test/api/v1/search?q=level%3AERROR+AND+program%3A%22nova-compute%22")
    lines(store, 10, at=WED_1805 + timedelta(minutes=59))
    run(store, meta, WED_1805 + timedelta(minutes=61))
    assert [b["status"] for b in hook.bodies] == ["firing", "firing"]
    run(store, meta, WED_1805 + timedelta(minutes=80))
    assert [b["status"] for b in hook.bodies] == ["firing", "firing", "resolved"]


def test_a_silence_holds_back_the_notification_and_the_history_says_so(store, meta, hook):
    add_channel(meta, "ops", "webhook", {"url": hook.url})
    add_rule(meta, name="errors", query="level:ERROR", threshold=5, group_by=["program"], channels=["ops"],
             window="10m")
    with meta.session() as s:
        s.add(Silence(id="s1", matchers=[{"name": "program", "value": "nova-.*", "op": "=~"}],
                      starts_at=to_db(WED_1805 - timedelta(hours=1)), ends_at=to_db(WED_1805 + timedelta(minutes=3)),
                      comment="maintenance", created_by="test", create_time=to_db(WED_1805)))
    lines(store, 10)
    run(store, meta, WED_1805)
    assert hook.bodies == []
    with meta.session() as s:
        assert [(e.kind, e.state, e.status) for e in s.scalars(select(AlertEvent).order_by(AlertEvent.id))] == [
            ("state", "firing", None), ("notification", "firing", "silenced")]
    run(store, meta, WED_1805 + timedelta(minutes=4))  # the silence is over and it still fires: told now
    assert [b["status"] for b in hook.bodies] == ["firing"]


def test_a_failed_send_is_retried_with_back_off_and_every_try_is_in_the_history(store, meta):
    hook = WebhookReceiver(statuses=[500])
    try:
        add_channel(meta, "ops", "webhook", {"url": hook.url})
        add_rule(meta, name="errors", query="level:ERROR", threshold=5, channels=["ops"])
        lines(store, 10)
        summary = run(store, meta, WED_1805)
        assert summary["notifications"] == {"sent": 0, "retrying": 1, "failed": 0}
        assert deliver_due(meta, WED_1805 + timedelta(seconds=10)) == {"sent": 0, "retrying": 0, "failed": 0}
        assert deliver_due(meta, WED_1805 + timedelta(seconds=31)) == {"sent": 1, "retrying": 0, "failed": 0}
        assert [b["status"] for b in hook.bodies] == ["firing"]
        with meta.session() as s:
            tries = [(e.status, e.attempt, (e.error or "")[:40]) for e in s.scalars(
                select(AlertEvent).where(AlertEvent.kind == "notification").order_by(AlertEvent.id))]
        assert tries == [("retrying", 1, f"POST {hook.url}: HTTP 500 {{}}"[:40]), ("sent", 2, "")]
    finally:
        hook.close()


def test_a_send_that_keeps_failing_gives_up_after_the_last_attempt(store, meta):
    from venus.alerts.delivery import MAX_ATTEMPTS

    add_channel(meta, "ops", "webhook", {"url": "http://127.0.0.1:9/nobody-listens", "timeout": 1})
    add_rule(meta, name="errors", query="level:ERROR", threshold=5, channels=["ops"])
    lines(store, 10)
    run(store, meta, WED_1805)
    for day in range(1, MAX_ATTEMPTS + 2):
        deliver_due(meta, WED_1805 + timedelta(days=day))
    with meta.session() as s:
        statuses = [e.status for e in s.scalars(select(AlertEvent).where(AlertEvent.kind == "notification"))]
    assert statuses == ["retrying"] * (MAX_ATTEMPTS - 1) + ["failed"]


def test_a_backtest_finds_the_moments_of_the_last_day_where_the_rule_would_have_fired(store):
    rule = parse_rule({"name": "errors", "query": "level:ERROR", "threshold": 5, "window": "15m",
                       "group_by": ["host"]})
    lines(store, 10, host="cmp1", at=WED_1805 - timedelta(hours=3, minutes=5))
    lines(store, 3, host="cmp2", at=WED_1805 - timedelta(hours=3, minutes=5))
    lines(store, 8, host="cmp2", at=WED_1805 - timedelta(hours=20, minutes=5))
    found = backtest(store, rule, {}, WED_1805)
    assert (found["step_seconds"], len(found["moments"])) == (900, 96)
    fired = [(m["at"], m["value"], m["groups"]) for m in found["moments"] if m["breached"]]
    assert fired == [("2026-05-05T22:05:00Z", 8.0, [{"host": "cmp2"}]),
                     ("2026-05-06T15:05:00Z", 10.0, [{"host": "cmp1"}])]
    assert found["breached_moments"] == 2
