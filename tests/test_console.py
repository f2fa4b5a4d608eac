"""The web console in a real browser: Debian's chromium, driven by Playwright (no browser of its
own downloaded), against a real `venus serve` holding imported demo logs.

Each test saves a screenshot under test-output/console/ (CI keeps the folder) and fails on any
error or warning in the browser's console, any page error, any answer of 400 or more and any
failed request. The one exception is a request the console cancels itself (net::ERR_ABORTED), as
it does when a newer search replaces one still running.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import Server
from venus.demo.generator import DemoCloud

pytestmark = pytest.mark.server

CHROMIUM = "/usr/bin/chromium"
OUTPUT = Path(__file__).resolve().parent.parent / "test-output" / "console"
# As the machine's probe starts it: no sandbox (root), and nothing that calls out to the internet.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
DEMO_LINES = 30_000


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Server:
    root = tmp_path_factory.mktemp("console")
    DemoCloud().write_tree(root / "logs", DEMO_LINES)
    server = Server(root / "data")
    server.cli("import", "-q", str(root / "logs"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Browser:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (make chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, demo: Server, request) -> Page:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US", base_url=demo.url)
    opened = context.new_page()
    problems: list[str] = []
    opened.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
              if m.type in ("error", "warning") else None)
    opened.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    opened.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}")
              if r.failure != "net::ERR_ABORTED" else None)
    opened.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    yield opened
    OUTPUT.mkdir(parents=True, exist_ok=True)
    opened.screenshot(path=OUTPUT / f"{request.node.name}.png")
    context.close()
    assert problems == [], "\n".join(problems)


def api_ids(demo: Server, query: str, **params) -> list[str]:
    body = httpx.get(f"{demo.url}/api/v1/search", params={"q": query, "limit": 100, **params}).json()
    return [hit["id"] for hit in body["hits"]]


def expect_rows(page: Page, expected: list[str]) -> None:
    """The table comes to show exactly these lines, in this order (a new search replaces the old
    rows when it answers)."""
    expect(page.locator("[data-testid=result-row]")).to_have_count(len(expected))
    page.wait_for_function("ids => [...document.querySelectorAll('[data-testid=result-row]')]"
                           ".map(r => r.dataset.id).join() === ids.join()", arg=expected, timeout=10_000)


def url_params(page: Page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


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
    ids = api_ids(demo, "program:nova-compute", limit=100)
    line = ids[50]  # a line in the middle of its file: ten before it and ten after
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
    page.goto("/discover?from=all&q=level%3AERROR")
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


def a_failed_boot(demo: Server) -> dict:
    """The newest failed boot of the demo: its nova-compute error line, which names the request
    that started the boot as its global request id."""
    body = httpx.get(f"{demo.url}/api/v1/search",
                     params={"q": 'level:ERROR program:nova-compute "Instance failed to spawn"', "limit": 1}).json()
    return body["hits"][0]


def test_the_call_chain_of_a_failed_boot_shows_the_services_in_order_with_the_error_span_marked(page, demo):
    failed = a_failed_boot(demo)
    boot = failed["global_request_id"]
    # The notification nova-compute sends about the failure joins the chain (its record as the
    # notification consumer writes it; the consumer itself is tested against RabbitMQ).
    notification = {"time": failed["ts"], "host": failed["host"], "program": "nova-compute", "level": "ERROR",
                    "logger": "notification", "request_id": failed["request_id"], "global_request_id": boot,
                    "event_type": "compute.instance.create.error", "message": "compute.instance.create.error"}
    assert httpx.post(f"{demo.url}/api/v1/ingest", params={"source": "notifications"},
                      json=notification).json()["accepted"] == 1
    chain = httpx.get(f"{demo.url}/api/v1/chain/{boot}").json()
    assert chain["error_count"] >= 1

    page.goto(f"/discover?from=all&q=request_id%3A{failed['request_id']}")
    page.locator(f"[data-testid=result-row][data-id='{failed['id']}']").click()
    page.get_by_test_id("open-chain").click()
    expect(page).to_have_url(re.compile(f"/chain/{boot}$"))
    spans = page.get_by_test_id("span")
    expect(spans).to_have_count(len(chain["spans"]))
    assert [s.get_attribute("data-service") for s in spans.all()] == [s["service"] for s in chain["spans"]]
    assert [s["service"] for s in chain["spans"]][:2] == ["nova", "nova"]  # nova-api, then the conductor
    marked = page.locator("[data-testid=span][data-first-error]")
    expect(marked).to_have_count(1)
    expect(marked).to_contain_text("nova-compute")
    expect(marked).to_have_class(re.compile("span-error"))
    expect(page.locator("tr.first-error-line")).to_contain_text("Instance failed to spawn")
    expect(page.get_by_test_id("notification-tag")).to_have_count(1)
    marked.click()
    compute = next(s for s in chain["spans"] if s["first_error"] == chain["first_error"])
    expect(page.get_by_test_id("chain-line")).to_have_count(len(compute["line_ids"]))


def test_the_call_chain_exports_its_lines_as_csv(page, demo):
    boot = a_failed_boot(demo)["global_request_id"]
    page.goto(f"/chain/{boot}")
    with page.expect_download() as saved:
        page.get_by_test_id("chain-export-csv").click()
    rows = list(csv.reader(io.StringIO(Path(saved.value.path()).read_text())))
    chain = httpx.get(f"{demo.url}/api/v1/chain/{boot}").json()
    assert rows[0][:5] == ["ts", "service", "program", "host", "request_id"]
    assert [row[-1] for row in rows[1:]] == [line["id"] for line in chain["lines"]]


def test_an_unknown_request_id_says_no_line_carries_it(page):
    page.goto("/chain/req-00000000-0000-0000-0000-000000000000")
    expect(page.get_by_test_id("chain-empty")).to_contain_text("00000000-0000-0000-0000-000000000000")
