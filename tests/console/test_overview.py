"""The overview: its figures are the API's, and each widget opens the lines behind it."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.console.conftest import api_ids, expect_rows, url_params

pytestmark = pytest.mark.server
ERRORS = "level:(ERROR OR CRITICAL)"


def test_the_error_figure_is_the_count_of_error_lines_and_opens_them(page, demo):
    page.goto("/overview?from=all")
    errors = httpx.get(f"{demo.url}/api/v1/count", params={"q": ERRORS}).json()["count"]
    expect(page.get_by_test_id("kpi-errors")).to_contain_text(f"{errors:,}")
    page.get_by_test_id("kpi-errors").click()
    expect(page).to_have_url(re.compile(r"/discover\?"))
    assert (url_params(page)["q"], url_params(page)["from"]) == (ERRORS, "all")
    expect_rows(page, api_ids(demo, ERRORS))


def test_a_top_error_logger_opens_its_error_lines_in_discover(page, demo):
    page.goto("/overview?from=all")
    top = httpx.get(f"{demo.url}/api/v1/crosstab", params={"by": ["program", "logger"], "q": ERRORS, "size": 1}).json()
    key = top["rows"][0]["key"]
    row = page.get_by_test_id("logger-row").first
    expect(row).to_contain_text(key["program"])
    row.click()
    query = url_params(page)["q"]
    assert query.startswith(ERRORS) and f"program:{key['program']}" in query
    expect_rows(page, api_ids(demo, query))


def test_a_typical_error_opens_its_signature_query(page, demo):
    page.goto("/overview?from=all")
    row = page.locator("[data-testid=typical-row][data-signature=novalidhost_error_stats]")
    expect(row).to_contain_text("No valid host was found")
    row.click()
    signatures = httpx.get(f"{demo.url}/api/v1/typical/signatures").json()["signatures"]
    expected = next(s["query"] for s in signatures if s["id"] == "novalidhost_error_stats")
    assert url_params(page)["q"] == expected


def test_the_slowest_api_request_opens_its_call_chain(page, demo):
    page.goto("/overview?from=all")
    slowest = httpx.get(f"{demo.url}/api/v1/latency", params={"slowest": 1}).json()["slowest"][0]
    page.get_by_test_id("slow-request").first.click()
    expect(page).to_have_url(re.compile(f"/chain/{slowest['global_request_id'] or slowest['request_id']}$"))
    expect(page.get_by_test_id("span").first).to_contain_text(slowest["service"])


def test_every_host_of_the_demo_is_logging(page):
    page.goto("/overview")
    expect(page.get_by_test_id("no-silent-hosts")).to_have_text("All 11 hosts are logging.")


def test_the_overview_speaks_chinese(page):
    page.goto("/overview")
    page.get_by_test_id("language").select_option("zh")
    expect(page.get_by_role("heading", name="典型错误")).to_be_visible()
    expect(page.get_by_role("link", name="概览")).to_be_visible()
