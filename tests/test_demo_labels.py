"""The demo generator's ground truth: for every record Venus stores from its files, the message
and the template it was written from (what the template miner is measured against)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from venus.demo.generator import DemoCloud, fill, ground_truth
from venus.demo.scenarios import SCENARIOS
from venus.ingest.inspect import Inspection, inspect_bytes
from venus.parse.paths import describe_path


@pytest.fixture(scope="module")
def labelled(tmp_path_factory) -> tuple[Path, list[tuple[str, str]]]:
    root = tmp_path_factory.mktemp("labelled")
    cloud = DemoCloud(seed=3, labels=True)
    cloud.write_tree(root, 20_000, 2.0, 1_778_000_000)
    return root, cloud.labels


def stored_messages(root: Path) -> Counter:
    messages: Counter = Counter()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        records, _ = inspect_bytes(path.read_bytes(), Inspection(describe_path(str(path))))
        messages.update(r["message"] for r in records)
    return messages


def test_a_label_is_given_for_every_record_venus_stores_with_its_message(labelled):
    root, labels = labelled
    assert Counter(content for content, _ in labels) == stored_messages(root)


def test_every_message_is_its_template_with_the_variables_filled_in(labelled):
    _, labels = labelled
    for content, template in labels:
        pattern = ".+?".join(re.escape(part) for part in template.split("<*>"))
        assert re.fullmatch(pattern, content, re.DOTALL), (content, template)


def test_the_labels_do_not_change_what_the_generator_writes(tmp_path):
    DemoCloud(seed=5).write_tree(tmp_path / "plain", 3000, 1.0, 1_778_000_000)
    DemoCloud(seed=5, labels=True).write_tree(tmp_path / "labelled", 3000, 1.0, 1_778_000_000)
    for path in (tmp_path / "plain").rglob("*.log"):
        assert path.read_bytes() == (tmp_path / "labelled" / path.relative_to(tmp_path / "plain")).read_bytes()


def test_a_template_is_its_format_string_with_each_field_a_variable():
    message = fill("Took {seconds} seconds to build {{instance}}", seconds="1.25")
    assert (message, message.template) == ("Took 1.25 seconds to build {instance}", "Took <*> seconds to build {instance}")
    assert ground_truth("{ip}:{port} -> 10.0.0.12:5672") == "<*>:<*> -> 10.0.0.12:5672"


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_a_failure_scenario_is_labelled_too_and_says_its_root_cause(tmp_path, scenario):
    cloud = DemoCloud(seed=3, labels=True)
    stats = cloud.write_tree(tmp_path, 8000, 2.0, 1_778_000_000, scenario=scenario, scenario_at=0.5)
    assert Counter(content for content, _ in cloud.labels) == stored_messages(tmp_path)
    cause = stats["scenario"]
    assert (cause["name"], cause["service"], cause["host"]) == (scenario, SCENARIOS[scenario].service,
                                                                 SCENARIOS[scenario].host)
    assert 1_778_000_000 - 7200 < cause["start"] < 1_778_000_000
    assert cause["template"] in {template for _, template in cloud.labels}


def test_a_scenario_leaves_the_clouds_own_traffic_as_it_was(tmp_path):
    DemoCloud(seed=5).write_tree(tmp_path / "plain", 3000, 1.0, 1_778_000_000)
    DemoCloud(seed=5).write_tree(tmp_path / "failing", 3000, 1.0, 1_778_000_000, scenario="libvirt_crash")
    plain = (tmp_path / "plain" / "ctl1" / "var/log/kolla/haproxy/haproxy.log").read_text().splitlines()
    failing = (tmp_path / "failing" / "ctl1" / "var/log/kolla/haproxy/haproxy.log").read_text().splitlines()
    assert failing[: len(plain) - 50] == plain[: len(plain) - 50]
