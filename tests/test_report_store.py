"""Kept reports on the metadata store and disk: kept with their headline figures, found by id and
format, and dropped with their files after [reports] keep_days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from venus.errors import NotFound
from venus.reports.stored import keep_report, list_reports, prune, report_file

FIGURES = {"start": "2026-11-21T00:00:00Z", "end": "2026-11-22T00:00:00Z", "query": "service:nova",
           "volume": {"total": 1200}, "error_rate": {"errors": 12, "rate": 0.01}, "alerts": [{}],
           "anomalies": {"findings": []}, "silent": {"hosts": [{}, {}]}}


def test_a_kept_report_has_its_figures_and_both_files(meta, tmp_path):
    kept = keep_report(meta, tmp_path / "reports", FIGURES, "<html>report</html>", b"%PDF-1.7 report", "Daily", "en", "s1")
    assert kept.summary == {"lines": 1200, "errors": 12, "error_rate": 0.01, "alerts": 1, "anomalies": 0,
                            "silent_hosts": 2}
    assert report_file(meta, tmp_path / "reports", kept.id, "pdf").read_bytes() == b"%PDF-1.7 report"
    assert report_file(meta, tmp_path / "reports", kept.id, "html").read_text() == "<html>report</html>"


@pytest.mark.parametrize(("ident", "fmt", "field"), [("nothing", "pdf", "report"), (None, "docx", "format")])
def test_an_unknown_report_or_format_is_not_found_naming_it(meta, tmp_path, ident, fmt, field):
    kept = keep_report(meta, tmp_path, FIGURES, "<html/>", b"%PDF-", "Daily", "en")
    with pytest.raises(NotFound) as raised:
        report_file(meta, tmp_path, ident or kept.id, fmt)
    assert raised.value.field == field


def test_reports_past_keep_days_are_dropped_with_their_files(meta, tmp_path):
    folder = tmp_path / "reports"
    kept = keep_report(meta, folder, FIGURES, "<html/>", b"%PDF-", "Daily", "en")
    now = datetime.now(UTC)
    assert prune(meta, folder, 0, now + timedelta(days=400)) == 0  # 0 keeps every report
    assert prune(meta, folder, 90, now + timedelta(days=89)) == 0
    assert prune(meta, folder, 90, now + timedelta(days=91)) == 1
    assert list_reports(meta) == [] and list(folder.iterdir()) == []
    with pytest.raises(NotFound):
        report_file(meta, folder, kept.id, "pdf")


def test_hosts_and_services_that_logged_before_and_not_now_have_gone_silent(store):
    from tests.conftest import insert_text
    from venus.reports.gather import ReportScope, gone_silent

    before, now = "2026-11-20 10:00:00.000", "2026-11-21 10:00:00.000"
    insert_text(store, f"{before} 7 INFO nova.compute.manager [-] still here\n{now} 7 INFO nova.compute.manager [-] "
                       "still here\n", host="cmp1")
    insert_text(store, f"{before} 8 INFO nova.compute.manager [-] last words\n", host="cmp2")
    insert_text(store, f"{before} 9 INFO cinder.volume.manager [-] last words\n",
                path="/var/log/cinder/cinder-volume.log", host="cmp1")
    scope = ReportScope("", datetime(2026, 11, 21, tzinfo=UTC), datetime(2026, 11, 22, tzinfo=UTC), "http://v")
    silent = gone_silent(store, scope)
    assert [(h["host"], h["last_seen"], h["previous"]) for h in silent["hosts"]] == [("cmp2", "2026-11-20T10:00:00Z", 1)]
    assert [s["service"] for s in silent["services"]] == ["cinder"]
    assert silent["hosts"][0]["link"] == ("http://v/discover?q=host%3A%22cmp2%22&from=2026-11-20T00%3A00%3A00Z"
                                          "&to=2026-11-21T00%3A00%3A00Z")
