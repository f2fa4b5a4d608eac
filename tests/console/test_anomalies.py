"""The anomalies view on the demo's RabbitMQ outage: the API's anomalies, each opening its lines,
and the root-cause candidates."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlencode

import httpx
import pytest
from playwright.sync_api import expect

from tests.console.conftest import api_ids, expect_rows, snapshot, url_params

pytestmark = pytest.mark.server


def outage_window(demo) -> dict:
    """Ten minutes up to just after the demo's RabbitMQ outage, compared with the six hours before."""
    newest = httpx.get(f"{demo.url}/api/v1/search", params={"q": "program:rabbitmq", "limit": 1}).json()["hits"][0]
    end = datetime.fromisoformat(newest["ts"]) + timedelta(minutes=1)
    return {"from": (end - timedelta(minutes=10)).isoformat().replace("+00:00", "Z"),
            "to": end.isoformat().replace("+00:00", "Z"), "lookback": "6h"}


def test_the_anomalies_of_an_outage_are_the_apis_and_open_their_lines(page, demo):
    window = outage_window(demo)
    found = httpx.get(f"{demo.url}/api/v1/anomalies", params={
        "since": window["from"], "until": window["to"], "lookback": "6h", "size": 100}).json()["anomalies"]
    assert any(a["service"] == "rabbitmq" and a["kind"] == "new_template" for a in found)
    page.goto(f"/anomalies?{urlencode(window)}")
    rows = page.get_by_test_id("anomaly-row")
    expect(rows).to_have_count(len(found))
    rabbit = page.locator("[data-testid=anomaly-row][data-service=rabbitmq][data-kind=new_template]")
    expect(rabbit).to_contain_text("new template")
    snapshot(page, "anomalies-outage")
    rabbit.click()
    expect(page).to_have_url(re.compile(r"/discover\?"))
    query = url_params(page)["q"]
    assert query.startswith("template_id:") and "service:rabbitmq" in query
    expect_rows(page, api_ids(demo, query, since=window["from"], until=window["to"]))


def test_the_root_causes_of_an_outage_are_ranked_as_the_api_ranks_them(page, demo):
    window = outage_window(demo)
    ranked = httpx.get(f"{demo.url}/api/v1/rca", params={
        "since": window["from"], "until": window["to"], "lookback": "6h"}).json()["candidates"]
    page.goto(f"/anomalies?{urlencode(window)}")
    page.get_by_test_id("find-cause").click()
    causes = page.get_by_test_id("cause")
    expect(causes).to_have_count(len(ranked))
    expect(causes.first).to_contain_text(f"{ranked[0]['service']} on {ranked[0]['host']}")
