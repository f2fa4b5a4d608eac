"""`venus demo --labelled` and `venus eval templates|mine` from the shell."""

from __future__ import annotations

import json

from tests.conftest import loghub, run_cli


def test_the_demo_writes_labels_and_eval_scores_venus_and_drain3_on_them(tmp_path):
    written = run_cli("demo", str(tmp_path / "logs"), "--lines", "5000", "--labelled", str(tmp_path / "truth.csv"))
    assert "labelled messages of" in written.stdout
    scored = json.loads(run_cli("eval", "templates", str(tmp_path / "truth.csv"), "--json").stdout)
    assert [r["miner"] for r in scored["runs"]] == ["venus", "drain3", "drain3 + masking"]
    venus = scored["runs"][0]
    assert venus["messages"] == scored["messages"] > 4000
    assert venus["GA"] >= 0.98 and venus["PA"] >= 0.9


def test_eval_names_a_file_without_labels(tmp_path):
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    failed = run_cli("eval", "templates", str(tmp_path / "x.csv"), check=False)
    assert failed.returncode == 2 and "no Content, EventTemplate column" in failed.stderr


def test_eval_mine_counts_the_templates_of_a_raw_log():
    mined = json.loads(run_cli("eval", "mine", str(loghub("OpenSSH_2k.log")), "--json", "--show", "1").stdout)
    assert mined[0]["records"] == 2000 and mined[0]["templates"] >= 1 and len(mined[0]["top"]) == 1
