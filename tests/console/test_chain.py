"""The call chain view."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import Server

pytestmark = pytest.mark.server


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


def test_the_call_chain_exports_what_it_shows_as_json(page, demo):
    boot = a_failed_boot(demo)["global_request_id"]
    page.goto(f"/chain/{boot}")
    with page.expect_download() as saved:
        page.get_by_test_id("chain-export-json").click()
    exported = json.loads(Path(saved.value.path()).read_text())
    chain = httpx.get(f"{demo.url}/api/v1/chain/{boot}").json()
    assert (exported["id"], [s["request_id"] for s in exported["spans"]]) == (boot, [s["request_id"] for s in chain["spans"]])
