"""Sequence anomalies: instance lifecycles learned from normal operation, and the 10 % of
lifecycles made to deviate found, with the deviating step. Real store, templates mined as at
ingest; the generator knows which instances it made deviate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import settings_for
from tests.test_anomalies import load
from venus.analysis.sequences import MIN_LEARNED, SequenceModel, sequence_anomalies
from venus.demo.generator import DemoCloud
from venus.meta.store import MetadataStore
from venus.store import open_store

END = 1_778_000_000


@pytest.fixture(scope="module")
def lifecycles(tmp_path_factory):
    """Twelve hours of normal operation, then twelve hours in which 10 % of the boots deviate."""
    root = tmp_path_factory.mktemp("lifecycles")
    store = open_store(settings_for(root / "data"), role="pytest")
    meta = MetadataStore(f"sqlite:///{root / 'meta.sqlite'}")
    meta.upgrade()
    DemoCloud(seed=31).write_tree(root / "normal", 60_000, 12.0, END - 12 * 3600)
    deviating = DemoCloud(seed=32)
    deviating.write_tree(root / "deviating", 60_000, 12.0, END, deviations=0.1)
    load(store, meta, root / "normal")
    load(store, meta, root / "deviating")
    yield store, deviating.deviated
    store.close()
    meta.close()


def test_deviating_lifecycles_are_found_with_precision_and_recall_of_at_least_0_9(lifecycles):
    store, deviated = lifecycles
    start = datetime.fromtimestamp(END - 12 * 3600, UTC)
    found = sequence_anomalies(store, "instance", start, datetime.fromtimestamp(END, UTC),
                               start - timedelta(hours=12), size=100_000)
    flagged = {s["key"] for s in found["sequences"]}
    right = flagged & set(deviated)
    precision, recall = len(right) / len(flagged), len(right) / len(deviated)
    assert len(deviated) >= 50 and found["checked"] >= 10 * len(deviated) * 0.8
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


def test_a_deviation_names_the_step_and_what_usually_follows():
    model = SequenceModel().learn([[1, 2, 3, 4]] * 5 + [[1, 2, 9]] * 3)
    assert model.deviation([1, 2, 3, 4]) is None
    assert model.deviation([1, 2, 9]) is None
    assert model.deviation([1, 3, 4]) == {"position": 1, "context": [1], "got": 3, "expected": [2], "seen_context": 8}
    assert model.deviation([1, 2, 3]) == {"position": 3, "context": [2, 3], "got": None, "expected": [4],
                                          "seen_context": 5}


def test_a_step_seen_once_while_learning_is_not_yet_normal():
    model = SequenceModel().learn([[1, 2, 3]] * 5 + [[1, 2, 7]])
    assert model.deviation([1, 2, 7])["got"] == 7


def test_with_too_few_lifecycles_learned_none_is_judged(lifecycles):
    store, _ = lifecycles
    start = datetime.fromtimestamp(END - 24 * 3600, UTC)  # where the lines start
    # The learning stretch is the ten minutes before: nothing in it.
    found = sequence_anomalies(store, "instance", start, start + timedelta(hours=12), start - timedelta(minutes=10))
    assert (found["learned"], found["deviating"], found["sequences"]) == (0, 0, [])
    assert found["checked"] > 0 and found["min_learned"] == MIN_LEARNED
