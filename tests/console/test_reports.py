"""The Reports view: the report's headline figures are the API's, and its PDF and HTML download
in the language chosen."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

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
