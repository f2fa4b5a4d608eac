"""The template miner: masking, grouping, generalising, typing, and its accuracy on the demo
generator's labelled messages."""

from __future__ import annotations

import pyarrow as pa
import pytest

from tests.conftest import loghub
from venus.analysis.template_accuracy import template_accuracy
from venus.analysis.templates import TemplateMiner, mask_messages, value_type
from venus.demo.generator import DemoCloud
from venus.ingest.inspect import Inspection, inspect_bytes
from venus.ingest.templating import Templater
from venus.parse.lines import parse_text
from venus.parse.paths import describe_path
from venus.parse.timestamps import now_us


def mine(*batches: list[str]) -> tuple[TemplateMiner, list[list[int]]]:
    miner = TemplateMiner()
    return miner, [miner.label(pa.array(batch, type=pa.string())).tolist() for batch in batches]


def test_masking_hides_times_and_words_with_digits():
    masked = mask_messages(pa.array([
        "Port 7a6081f2-8bd1-49d6-a398-454579ce55dd on 10.0.0.12:5672 took 0.25 s, 3 tries",
        "[21/Nov/2026:23:28:31.502] device tap7a6081f2-8b at iteration:42 on Sat Nov 21 23:39:38 2026",
        "GET /v2.1/servers len: 486",
    ])).to_pylist()
    assert masked == ["Port <*> on <*>:<*> took <*> s, <*> tries",
                      "[<*>] device <*> at iteration:<*> on <*>",
                      "GET /<*>/servers len: <*>"]


def test_lines_of_one_template_get_one_id_and_other_templates_others():
    _, (ids,) = mine(["Took 1.25 seconds to build instance.", "Selected host: cmp1",
                      "Took 3.50 seconds to build instance.", "Selected host: cmp2"])
    assert ids == [1, 2, 1, 2]


def test_a_value_the_lines_always_share_stays_literal_until_a_second_one_comes():
    miner, _ = mine(["GET /v3/auth/tokens status: 200 len: 310", "GET /v3/auth/tokens status: 200 len: 512"])
    assert miner.templates[1].text() == "GET /v3/auth/tokens status: 200 len: <NUM>"
    assert miner.label(pa.array(["GET /v3/auth/tokens status: 500 len: 90"])).tolist() == [1]
    assert miner.templates[1].text() == "GET /v3/auth/tokens status: <NUM> len: <NUM>"


def test_a_template_generalises_when_a_variant_comes_and_keeps_its_id():
    miner, batches = mine(["Running periodic task ComputeManager._sync_power_states"],
                          ["Running periodic task ComputeManager.update_available_resource"])
    assert batches == [[1], [1]]
    assert miner.templates[1].text() == "Running periodic task <*>"


def test_variables_are_typed_by_the_values_seen_and_shared_parts_stay():
    miner, _ = mine(['10.0.1.7:50237 "GET /v2.1/servers/detail" status: 200 len: 310 time: 0/0/2768',
                     '10.0.1.9:41003 "POST /v2.1/servers" status: 202 len: 486 time: 0/0/311'])
    assert miner.templates[1].text() == '<IP>:<NUM> "<*> <PATH>" status: <NUM> len: <NUM> time: 0/0/<NUM>'


def test_a_word_joined_by_dashes_is_one_value():
    miner, _ = mine(["device tap8a7db67f-dc entered promiscuous mode", "device tap5d2e24d5-bc entered promiscuous mode"])
    assert miner.templates[1].text() == "device <*> entered promiscuous mode"
    assert value_type({"cmp1", "ctl2"}) == "<*>"


def test_a_traceback_keeps_its_lines_in_the_template():
    text = "Error updating resources for node {}\nTraceback (most recent call last):\n  File \"x.py\", line 190"
    miner, _ = mine([text.format("cmp1"), text.format("cmp2")])
    assert miner.templates[1].text() == text.format("<*>")


def test_the_same_messages_give_the_same_templates():
    messages = [f"Took {i}.5 seconds on cmp{i % 3}" for i in range(50)] + ["Selected host: cmp1"] * 3
    first, (a,) = mine(messages)
    second, (b,) = mine(messages)
    assert a == b
    assert [t.text() for t in first.templates.values()] == [t.text() for t in second.templates.values()]


@pytest.mark.parametrize("message", ["", " ", "x" * 1_000_000, "\ufffd\x00 broken", "9" * 5000])
def test_empty_huge_and_odd_messages_get_a_template(message):
    miner, (ids,) = mine([message, message])
    assert ids[0] == ids[1] >= 1
    assert len(miner.templates[ids[0]].text()) <= 5000


def test_on_the_demo_clouds_labelled_messages_grouping_and_parsing_are_right(tmp_path):
    cloud = DemoCloud(seed=9, labels=True)
    cloud.write_tree(tmp_path, 40_000, 2.0, 1_778_000_000)
    messages, truth = zip(*cloud.labels, strict=True)
    miner, ids = mine(list(messages[:20_000]), list(messages[20_000:]))
    flat = ids[0] + ids[1]
    found = [miner.templates[i].text() for i in flat]
    scores = template_accuracy(truth, flat, found)
    assert scores["GA"] >= 0.98 and scores["PA"] >= 0.9, scores


@pytest.mark.parametrize("name", ["Apache_2k.log", "HDFS_2k.log", "Linux_2k.log", "OpenSSH_2k.log",
                                  "OpenStack_2k.log", "Zookeeper_2k.log"])
def test_the_miner_runs_over_the_loghub_samples(name):
    # Raw samples only: `venus eval mine` reports how many templates each gives; never scored
    # (no labels of public datasets are used).
    path = loghub(name)
    records, _ = inspect_bytes(path.read_bytes(), Inspection(describe_path(str(path), "loghub")))
    miner, (ids,) = mine([r["message"] for r in records])
    assert len(ids) == len(records) == 2000 and min(ids) >= 1
    assert 1 <= len(miner.templates) < 2000


def test_a_batch_the_miner_fails_on_is_stored_without_templates(meta, caplog):
    table, _ = parse_text("2026-05-06 18:00:00.000 7 INFO nova.x [-] Selected host: cmp1\n",
                          describe_path("/var/log/nova/nova-scheduler.log", "ctl1"), received_us=now_us())
    templater = Templater(meta)

    def broken(*_: object) -> None:  # a bug in the miner, simulated: the real miner is pure and tested above
        raise RuntimeError("broken")

    templater.miner.assign = broken
    assert templater.label(table) is table
    assert table.column("template_id").to_pylist() == [0]
    assert "template mining failed for a batch of 1 lines" in caplog.text
