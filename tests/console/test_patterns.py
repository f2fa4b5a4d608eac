"""The patterns view: the demo's templates as the API counts them, each opening its lines."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.console.conftest import api_ids, expect_rows, url_params

pytestmark = pytest.mark.server


def test_the_templates_are_listed_as_the_api_counts_them_and_a_row_opens_its_lines(page, demo):
    found = httpx.get(f"{demo.url}/api/v1/templates", params={"size": 200}).json()
    page.goto("/patterns?from=all")
    rows = page.get_by_test_id("pattern-row")
    expect(rows).to_have_count(len(found["templates"]))
    top = found["templates"][0]
    expect(rows.first).to_contain_text(f"{top['count']:,}")
    expect(rows.first.locator(".variable").first).to_have_text(re.compile(r"<(IP|NUM|TIME|UUID|PATH|\*)>"))
    rows.first.click()
    expect(page).to_have_url(re.compile(r"/discover\?"))
    assert url_params(page)["q"] == f"template_id:{top['id']}"
    expect_rows(page, api_ids(demo, f"template_id:{top['id']}"))


def test_a_query_narrows_the_templates(page):
    page.goto("/patterns?from=all")
    page.get_by_test_id("patterns-query").fill("program:nova-scheduler")
    page.get_by_test_id("patterns-query").press("Enter")
    expect(page.get_by_test_id("pattern-row")).to_have_count(1)
    expect(page.get_by_test_id("pattern-row")).to_contain_text("Selected host: <*>")
