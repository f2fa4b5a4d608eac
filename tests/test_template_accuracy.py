"""GA, PA, FGA and FTA, and the labelled files they are computed from."""

from __future__ import annotations

import pytest

from venus.analysis.template_accuracy import read_labelled, template_accuracy, write_labelled
from venus.errors import BadRequest

TRUTH = ["A <*>", "A <*>", "B <*>", "B <*>", "C"]


def test_a_perfect_result_scores_one_everywhere():
    assert template_accuracy(TRUTH, [1, 1, 2, 2, 3], ["A <NUM>", "A <NUM>", "B <*>", "B <*>", "C"]) == {
        "messages": 5, "true_templates": 3, "found_templates": 3, "GA": 1.0, "PA": 1.0, "FGA": 1.0, "FTA": 1.0}


def test_two_true_groups_found_as_one_are_both_wrong():
    scores = template_accuracy(TRUTH, [1, 1, 1, 1, 3], ["<*> <*>"] * 4 + ["C"])
    # One found group of five is right (C); A and B merged count as wrong for all four messages.
    assert (scores["GA"], scores["PA"]) == (0.2, 0.2)
    assert scores["FGA"] == round(2 * (1 / 2) * (1 / 3) / (1 / 2 + 1 / 3), 4)


def test_a_right_group_with_a_wrong_template_counts_for_grouping_only():
    scores = template_accuracy(TRUTH, [1, 1, 2, 2, 3], ["A 7", "A 7", "B <*>", "B <*>", "C"])
    assert (scores["GA"], scores["PA"], scores["FGA"], scores["FTA"]) == (1.0, 0.6, 1.0, round(2 / 3, 4))


def test_a_structured_csv_round_trips(tmp_path):
    labels = [("Took 1.5 s", "Took <*> s"), ('say "hi",\nbye', 'say "<*>",\nbye'), ("Took 2 s", "Took <*> s")]
    assert write_labelled(tmp_path / "l.csv", labels) == 2
    assert read_labelled(tmp_path / "l.csv") == labels
    assert (tmp_path / "l.csv").read_text().splitlines()[:2] == ["LineId,Content,EventId,EventTemplate",
                                                                "1,Took 1.5 s,E1,Took <*> s"]


def test_a_raw_log_takes_the_first_template_that_matches_each_line(tmp_path):
    (tmp_path / "raw.log").write_text("Took 1.5 s\nSelected host: cmp1\n")
    (tmp_path / "t.csv").write_text("EventId,EventTemplate\nE1,Took <*> s\nE2,Selected host: <*>\n")
    assert read_labelled(tmp_path / "raw.log", tmp_path / "t.csv") == [
        ("Took 1.5 s", "Took <*> s"), ("Selected host: cmp1", "Selected host: <*>")]


def test_a_line_no_template_matches_is_an_error_naming_it(tmp_path):
    (tmp_path / "raw.log").write_text("Took 1.5 s\nsomething else\n")
    (tmp_path / "t.csv").write_text("EventId,EventTemplate\nE1,Took <*> s\n")
    with pytest.raises(BadRequest, match=r"raw.log:2: no template"):
        read_labelled(tmp_path / "raw.log", tmp_path / "t.csv")


def test_a_csv_without_the_columns_is_an_error_naming_them(tmp_path):
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    with pytest.raises(BadRequest, match="no Content, EventTemplate column"):
        read_labelled(tmp_path / "x.csv")
