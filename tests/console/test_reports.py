"""The Reports view: the report's headline figures are the API's, and its PDF and HTML download
in the language chosen."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from tests.alerting import WebhookReceiver
from tests.console.conftest import snapshot


def test_the_headline_figures_are_the_reports_own(page, demo):
    page.goto("/reports?from=now-1d")
    expect(page.get_by_test_id("reports-kpis")).to_be_visible()
    figures = httpx.get(f"{demo.url}/api/v1/report", params={"since": "1d", "format": "json"}, timeout=120).json()
    expect(page.get_by_test_id("reports-lines").locator(".kpi-value")).to_have_text(f"{figures['volume']['total']:,}")
    expect(page.get_by_test_id("reports-errors").locator(".kpi-value")).to_have_text(
        f"{figures['error_rate']['errors']:,}")
    snapshot(page, "reports")


def test_the_pdf_downloads(page, tmp_path):
    page.goto("/reports?from=now-1d")
    expect(page.get_by_test_id("reports-kpis")).to_be_visible()
    with page.expect_download(timeout=120_000) as started:
        page.get_by_test_id("reports-pdf").click()
    saved = tmp_path / started.value.suggested_filename
    started.value.save_as(saved)
    assert saved.suffix == ".pdf" and saved.read_bytes()[:5] == b"%PDF-"


def test_the_html_downloads_in_chinese(page, tmp_path):
    page.goto("/reports?from=now-1d")
    expect(page.get_by_test_id("reports-kpis")).to_be_visible()
    page.get_by_test_id("reports-language").select_option("zh")
    with page.expect_download(timeout=120_000) as started:
        page.get_by_test_id("reports-html").click()
    saved = tmp_path / "report.html"
    started.value.save_as(saved)
    assert "Venus 运维报告" in saved.read_text()


def test_a_schedule_made_in_the_view_runs_and_its_report_is_kept_and_sent(page, demo, tmp_path):
    hook = WebhookReceiver()
    try:
        assert httpx.post(f"{demo.url}/api/v1/channels", json={"name": "reports hook", "type": "webhook",
                                                               "settings": {"url": hook.url}}).status_code == 201
        page.goto("/reports?from=now-1d")
        form = page.get_by_test_id("schedule-form")
        form.get_by_label("Name").fill("console morning report")
        form.get_by_test_id("schedule-channels").select_option("reports hook")
        form.get_by_role("button", name="Add schedule").click()
        row = page.get_by_test_id("report-schedule").filter(has_text="console morning report")
        expect(row).to_contain_text("daily")
        expect(row).to_contain_text("1d")
        row.get_by_test_id("schedule-run").click()
        kept = page.get_by_test_id("kept-report").first
        expect(kept).to_contain_text("Venus operations report: console morning report", timeout=120_000)
        expect(kept).to_contain_text("reports hook ✓")
        assert hook.bodies[-1]["title"] == "Venus operations report: console morning report"
        with page.expect_download(timeout=60_000) as started:
            kept.get_by_role("button", name="PDF").click()
        saved = tmp_path / "kept.pdf"
        started.value.save_as(saved)
        assert saved.read_bytes()[:5] == b"%PDF-"
        snapshot(page, "reports-kept")
    finally:
        for schedule in httpx.get(f"{demo.url}/api/v1/report-schedules").json()["schedules"]:
            httpx.delete(f"{demo.url}/api/v1/report-schedules/{schedule['id']}")
        httpx.delete(f"{demo.url}/api/v1/channels/reports hook")
        hook.close()
