"""Discover: search, filter, zoom, context, completion, URLs, language."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.console.conftest import DEMO_LINES, api_ids, expect_rows, url_params

pytestmark = pytest.mark.server


def test_a_field_filter_and_a_phrase_narrow_the_table_to_exactly_the_matching_lines(page, demo):
    page.goto("/discover?from=all")
    expect(page.locator("[data-testid=result-row]").first).to_be_visible()
    query = 'host:cmp6 "Instance failed to spawn"'
    page.get_by_test_id("query-input").fill(query)
    page.get_by_test_id("query-input").press("Enter")
    expect(page).to_have_url(re.compile(r"q=host%3Acmp6"))
    expected = api_ids(demo, query)
    assert 0 < len(expected) < 100
    expect_rows(page, expected)
    expect(page.get_by_test_id("total")).to_contain_text(f"{len(expected)} lines")
    expect(page.locator("[data-testid=result-row] mark").first).to_have_text("Instance failed to spawn")


def test_a_click_on_a_field_value_filters_for_it(page, demo):
    page.goto("/discover?from=all")
    page.get_by_test_id("facet-level").locator("li", has_text="ERROR").get_by_test_id("facet-include").click()
    expect(page).to_have_url(re.compile(r"q=level%3AERROR"))
    expect_rows(page, api_ids(demo, "level:ERROR"))


def test_dragging_across_the_histogram_zooms_into_that_time(page, demo):
    page.goto("/discover?from=all")
    chart = page.get_by_test_id("histogram")
    expect(page.locator("[data-testid=result-row]").first).to_be_visible()
    expect(page.locator(".histogram-caption")).to_contain_text("one bar per")  # the chart has its bars
    box = chart.bounding_box()
    y = box["y"] + box["height"] * 0.6
    page.mouse.move(box["x"] + box["width"] * 0.3, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, y, steps=8)
    page.mouse.up()
    expect(page).to_have_url(re.compile(r"from=\d{4}-\d\d-\d\dT"))
    params = url_params(page)
    start, end = params["from"], params["to"]
    assert start < end and end != "now"
    expect_rows(page, api_ids(demo, "", since=start, until=end))
    times = page.locator("[data-testid=result-row] .col-time").all_inner_texts()
    assert times and all(start.replace("T", " ")[:19] <= t[:19] <= end.replace("T", " ")[:19] for t in times)


def test_context_shows_the_twenty_lines_around_a_line(page, demo):
    ids = api_ids(demo, "program:nova-compute host:cmp6", limit=100)
    line = ids[50]  # fifty lines of the same file after it and more before: ten each side to show
    page.goto(f"/discover?from=all&q=program%3Anova-compute&context={line}")
    panel = page.get_by_test_id("context-panel")
    expect(panel).to_be_visible()
    expect(panel.get_by_test_id("context-line")).to_have_count(20)
    context = httpx.get(f"{demo.url}/api/v1/context/{line}", params={"before": 10, "after": 10}).json()
    expect(panel.get_by_test_id("context-current")).to_contain_text(context["line"]["message"].split("\n")[0])
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    assert "context" not in url_params(page)


def test_opening_a_row_shows_every_field_and_the_context_button(page):
    page.goto("/discover?from=all&q=level%3AERROR%20%22Instance%20failed%20to%20spawn%22")
    page.locator("[data-testid=result-row]").first.click()
    detail = page.get_by_test_id("result-detail")
    expect(detail.locator("[data-field=host]")).to_be_visible()
    expect(detail.locator("[data-field=source]")).to_contain_text("/var/log/kolla/")
    detail.get_by_test_id("open-context").click()
    expect(page.get_by_test_id("context-panel")).to_be_visible()
    assert url_params(page)["context"]


def test_field_names_and_values_complete_as_you_type(page):
    page.goto("/discover?from=all")
    bar = page.get_by_test_id("query-input")
    bar.press_sequentially("hos")
    expect(page.get_by_test_id("suggestions").locator("li").first).to_contain_text("host:")
    bar.press("Tab")
    expect(bar).to_have_value("host:")
    expect(page.get_by_test_id("suggestions")).to_contain_text("cmp1")
    bar.press_sequentially("ctl")
    expect(page.get_by_test_id("suggestions").locator("li").first).to_contain_text("ctl")
    bar.press("Tab")
    expect(bar).to_have_value(re.compile(r"^host:ctl\d $"))


def test_a_syntax_error_is_shown_where_it_is_while_typing(page):
    page.goto("/discover?from=all")
    page.get_by_test_id("query-input").fill("level:(ERROR")
    problem = page.get_by_test_id("query-problem")
    expect(problem).to_contain_text("expected ')'")
    expect(problem.locator("pre")).to_have_text("level:(ERROR\n" + " " * 12 + "^")
    page.get_by_test_id("query-input").fill("level:(ERROR)")
    expect(problem).to_be_hidden()


def test_the_url_restores_the_view(page, demo):
    page.goto("/discover?q=level%3AWARNING&from=all")
    expect(page.get_by_test_id("query-input")).to_have_value("level:WARNING")
    expect_rows(page, api_ids(demo, "level:WARNING"))
    expect(page.get_by_test_id("time-button")).to_contain_text("All time")


def test_switching_to_chinese_changes_the_labels(page):
    page.goto("/discover?from=all")
    expect(page.get_by_test_id("search-button")).to_have_text("Search")
    page.get_by_test_id("language").select_option("zh")
    expect(page.get_by_test_id("search-button")).to_have_text("检索")
    expect(page.get_by_role("link", name="日志检索")).to_be_visible()
    expect(page.get_by_test_id("time-button")).to_contain_text("全部时间")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.reload()
    expect(page.get_by_test_id("search-button")).to_have_text("检索")


def test_first_results_time_is_reported(page, demo):
    page.goto("/discover?from=all")
    expect(page.locator("[data-testid=result-row]").first).to_be_visible()
    took = page.evaluate("window.venusFirstResultsMs")
    print(f"first results rendered {took:.0f} ms after the search started ({DEMO_LINES} demo lines)")
    assert took > 0
