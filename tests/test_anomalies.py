"""Anomalies and root cause on the demo cloud's failure scenarios, whose cause is known: the
anomaly list has the cause within two minutes of its start, and root-cause analysis ranks it
first. Real store, real metadata store, templates mined as at ingest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.alerting import WebhookReceiver, add_channel, add_rule
from tests.conftest import settings_for
from venus.alerts.engine import evaluate_all
from venus.alerts.measure import anomaly_measure, rule_node
from venus.alerts.rules import parse_rule
from venus.analysis.anomalies import detect, explain, findings, has_history, robust_score
from venus.analysis.root_cause import dependency_graph, rank, root_causes
from venus.analysis.template_accuracy import same_template_text
from venus.demo.generator import DemoCloud
from venus.demo.scenarios import SCENARIOS
from venus.ingest.importer import Importer, fingerprint
from venus.ingest.templating import Templater
from venus.ingest.workers import ParsePool
from venus.meta.models import LogTemplate
from venus.meta.store import MetadataStore
from venus.parse.paths import describe_path
from venus.query.search import Filter
from venus.store import open_store

END = 1_778_000_000
LOOKBACK = timedelta(hours=10)


def load(store, meta, root) -> None:
    pool = ParsePool(1)
    try:
        importer = Importer(store, pool, templater=Templater(meta))
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            data = path.read_bytes()
            importer.import_chunk(describe_path(str(path)), fingerprint(data), 0, data, final=True)
    finally:
        pool.close()


@pytest.fixture(scope="module")
def clouds(tmp_path_factory):
    """Every scenario's cloud, two days apart, imported once into one store (the embedded engine is
    one per process): (store, meta, {scenario: its truth})."""
    root = tmp_path_factory.mktemp("scenarios")
    store = open_store(settings_for(root / "data"), role="pytest")
    meta = MetadataStore(f"sqlite:///{root / 'meta.sqlite'}")
    meta.upgrade()
    truths = {}
    for i, name in enumerate(sorted(SCENARIOS)):
        stats = DemoCloud(seed=21 + i).write_tree(root / name, 30_000, 12.0, END + i * 2 * 86400, scenario=name,
                                                  scenario_at=0.9)
        load(store, meta, root / name)
        truths[name] = {**stats["scenario"], "start": datetime.fromtimestamp(stats["scenario"]["start"], UTC)}
    yield store, meta, truths
    store.close()
    meta.close()


@pytest.fixture
def failing(request, clouds):
    store, meta, truths = clouds
    return store, meta, truths[request.param]


def template_text(meta, tid: int) -> str:
    with meta.session() as s:
        return same_template_text(s.get(LogTemplate, tid).text)


def is_cause(meta, item: dict, truth: dict) -> bool:
    return ((item["service"], item["host"]) == (truth["service"], truth["host"])
            and template_text(meta, item["template_id"]) == same_template_text(truth["template"]))


@pytest.mark.parametrize("failing", sorted(SCENARIOS), indirect=True)
def test_the_anomaly_list_has_the_cause_within_two_minutes_of_its_start(failing):
    store, meta, truth = failing
    end = truth["start"] + timedelta(minutes=2)
    found = detect(store, Filter.parse(""), end - timedelta(minutes=15), end, LOOKBACK)
    assert any(is_cause(meta, f, truth) for f in found), [(f["service"], f["host"]) for f in found]


@pytest.mark.parametrize("failing", sorted(SCENARIOS), indirect=True)
def test_root_cause_analysis_ranks_the_injected_cause_first(failing):
    store, meta, truth = failing
    ranked = root_causes(store, Filter.parse(""), truth["start"], truth["start"] + timedelta(minutes=5), LOOKBACK)
    first = ranked["candidates"][0]
    assert is_cause(meta, first, truth), [(c["service"], c["host"], c["score"]) for c in ranked["candidates"][:3]]
    assert first["evidence"] and first["evidence"][0]["host"] == truth["host"]


@pytest.mark.parametrize("failing", ["libvirt_crash"], indirect=True)
def test_a_change_of_rate_is_explained_by_the_failing_host(failing):
    store, _, truth = failing
    start = truth["start"]
    explained = explain(store, Filter.parse("level:ERROR"), start, start + timedelta(minutes=5), LOOKBACK)
    assert explained["fields"]["host"][0]["value"] == "cmp3"
    assert explained["fields"]["program"][0]["value"] == "nova-compute"


@pytest.mark.parametrize("failing", ["glance_disk_full"], indirect=True)
def test_the_dependency_map_is_learned_from_call_chains(failing):
    store, _, truth = failing
    graph = dependency_graph(store, truth["start"] - LOOKBACK, truth["start"])
    assert {"placement", "glance", "neutron"} <= set(graph["nova"])


def test_a_robust_score_counts_deviations_from_the_median():
    assert robust_score(40, [10, 12, 9, 11, 10]) == (10, 30 / 10 ** 0.5)
    assert robust_score(0, [100, 100, 100]) == (100, -10.0)
    assert robust_score(3, []) == (0.0, 0.0)


@pytest.mark.parametrize("failing", ["mariadb_down"], indirect=True)
def test_without_history_before_the_stretch_no_volume_is_judged(failing):
    store, _, _ = failing
    # The stretch starts with the store's first lines: nothing before it to compare with.
    first = store.query("SELECT min(ts) FROM logs").rows[0][0]
    found = detect(store, Filter.parse(""), first, first + timedelta(hours=2), LOOKBACK)
    assert [f for f in found if f["kind"] in ("spike", "drop")] == []


@pytest.mark.parametrize("failing", ["mariadb_down"], indirect=True)
def test_an_anomaly_rule_fires_for_the_failing_service_and_sends_the_finding(failing, meta):
    store, templates, truth = failing
    hook = WebhookReceiver()
    try:
        add_channel(meta, "ops", "webhook", {"url": hook.url})
        add_rule(meta, name="unusual", condition="anomaly", kinds=["new_template"], group_by=["service", "host"],
                 threshold=5, window="5m", lookback="10h", channels=["ops"])
        quiet = evaluate_all(store, meta, {}, "http://venus.test", truth["start"] - timedelta(minutes=30))
        assert (quiet["groups"], quiet["firing"]) == (0, 0)
        evaluate_all(store, meta, {}, "http://venus.test", truth["start"] + timedelta(minutes=2))
        body = next(b for b in hook.bodies if b["group"] == {"service": "mariadb", "host": "ctl1"})
    finally:
        hook.close()
    top = body["anomalies"][0]
    assert (body["status"], top["kind"], body["value"]) == ("firing", "new_template", top["score"])
    assert is_cause(templates, top, truth)
    assert body["samples"] and {line["host"] for line in body["samples"]} == {"ctl1"}
    assert f"template_id%3A%22{top['template_id']}%22" in body["link"]


@pytest.mark.parametrize("failing", ["mariadb_down"], indirect=True)
def test_an_anomaly_rule_of_spikes_only_measures_the_spiking_groups(failing):
    store, _, truth = failing
    rule = parse_rule({"name": "spikes", "condition": "anomaly", "kinds": ["spike"], "group_by": ["service", "host"],
                       "window": "5m", "lookback": "10h"})
    now = truth["start"] + timedelta(minutes=5)
    every = findings(store, Filter.parse(""), now - timedelta(minutes=5), now, LOOKBACK)
    spiking = {(f["service"], f["host"]) for f in every if f["kind"] == "spike"}
    assert {(f["service"], f["host"]) for f in every if f["kind"] == "new_template"} - spiking  # left out below
    measured = anomaly_measure(store, rule, rule_node(rule, {}), now).values()
    assert {(m.group["service"], m.group["host"]) for m in measured} == spiking
    assert all(f["kind"] == "spike" for m in measured for f in m.findings)


@pytest.mark.parametrize("failing", ["mariadb_down"], indirect=True)
def test_on_a_store_younger_than_three_windows_no_template_is_new(failing):
    store, _, _ = failing
    first = store.query("SELECT min(ts) FROM logs").rows[0][0]
    start, end = first + timedelta(minutes=2), first + timedelta(minutes=12)
    appearing = store.query("SELECT template_id, service, min(ts) AS f FROM logs WHERE template_id != 0 "
                            "GROUP BY template_id, service HAVING f >= {start:DateTime64(6, 'UTC')} "
                            "AND f < {end:DateTime64(6, 'UTC')}", {"start": start, "end": end}).rows
    assert appearing  # first logged in the stretch: new, were there any history to tell
    assert [f for f in detect(store, Filter.parse(""), start, end, LOOKBACK) if f["kind"] == "new_template"] == []
    ten = timedelta(minutes=10)
    assert not has_history(store, first + timedelta(minutes=29), first + timedelta(minutes=39), LOOKBACK)
    assert has_history(store, first + timedelta(minutes=31), first + timedelta(minutes=41), LOOKBACK)
    assert has_history(store, first + ten, first + 2 * ten, timedelta(minutes=20))  # half the lookback will do


def test_an_early_routine_spike_ranks_below_the_crash_that_followed_it():
    def finding(kind, service, host, level, first, **more):
        return {"kind": kind, "template_id": len(service), "service": service, "host": host, "level": level,
                "count": 1, "first_seen": first, "reason": "", **more}

    spike = finding("spike", "kernel", "cmp8", "INFO", "2026-05-05T14:16:42Z", deviations=4.0)
    crash = finding("new_template", "mariadb", "ctl1", "ERROR", "2026-05-05T14:29:20Z")
    effect = finding("new_template", "nova", "ctl2", "ERROR", "2026-05-05T14:29:23Z")
    ranked = rank([spike, crash, effect], {}, datetime(2026, 5, 5, 14, 35, tzinfo=UTC))
    assert [(c["service"], c["score"], c["relevance"]) for c in ranked] == [
        ("mariadb", 0.875, 1.0), ("nova", 0.3, 1.0), ("kernel", 0.121, 0.2)]
    assert ranked[2]["parts"]["earliness"] == 1.0  # earlier than every relevant candidate, and still last
