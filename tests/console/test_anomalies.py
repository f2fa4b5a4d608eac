"""The anomalies view on the demo's RabbitMQ outage: the API's anomalies, each opening its lines;
the root-cause candidates of a stretch and of an alert (opened from its row); the lifecycles out
of order, each opening its call chain."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
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


def iso_z(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def test_the_lifecycles_out_of_order_are_the_apis_and_open_their_call_chain(page, demo):
    end = datetime.now(UTC)
    window = {"from": iso_z(end - timedelta(hours=3)), "to": iso_z(end), "lookback": "3h"}
    found = httpx.get(f"{demo.url}/api/v1/anomalies/sequences", params={
        "since": window["from"], "until": window["to"], "lookback": "3h", "size": 100}).json()
    assert found["deviating"] > 0  # the boots caught in the demo's RabbitMQ outage
    page.goto(f"/anomalies?{urlencode(window)}")
    rows = page.get_by_test_id("sequence-row")
    expect(rows).to_have_count(len(found["sequences"]))
    expect(page.get_by_test_id("sequence-summary")).to_have_text(
        f"{found['deviating']} of {found['checked']} deviate (learned from {found['learned']})")
    first = found["sequences"][0]
    expect(rows.first).to_have_attribute("data-key", first["key"])
    snapshot(page, "anomalies-sequences")
    rows.first.get_by_role("button").click()
    expect(page).to_have_url(re.compile(f"/chain/{first['key']}$"))


def test_an_alerts_root_cause_opens_from_its_row_as_the_api_ranks_it(page, demo):
    line = {"host": "cmp6", "program": "nova-compute", "level": "ERROR", "message": "reactor core breached"}
    assert httpx.post(f"{demo.url}/api/v1/ingest", params={"source": "console-test"}, json=line).json()["accepted"] == 1
    rule = {"name": "cmp6 errors rca", "query": "host:cmp6 level:ERROR", "window": "30m", "group_by": ["host"]}
    rule_id = httpx.post(f"{demo.url}/api/v1/alerts/rules", json=rule).json()["rule"]["id"]
    try:
        assert httpx.post(f"{demo.url}/api/v1/tasks/alerts/run", timeout=60).json()["ok"] is True
        ranked = httpx.get(f"{demo.url}/api/v1/rca", params={"alert": rule_id, "lookback": "1d"}).json()
        top = ranked["candidates"][0]
        assert ("cmp6", "reactor core breached") in [(c["host"], c["template"]) for c in ranked["candidates"]]
        page.goto("/alerts")
        page.locator("[data-testid=alert-row][data-rule='cmp6 errors rca']").get_by_test_id("alert-root-cause").click()
        expect(page).to_have_url(re.compile(rf"/anomalies\?alert={rule_id}&group="))
        causes = page.get_by_test_id("root-causes")
        expect(causes.locator("h2")).to_contain_text("Root cause of the alert cmp6 errors rca (host=cmp6): breached")
        expect(causes.get_by_test_id("cause")).to_have_count(len(ranked["candidates"]))
        expect(causes.get_by_test_id("cause").first).to_contain_text(f"{top['service']} on {top['host']}")
        expect(causes).to_contain_text("reactor core breached")
        expect(page.get_by_test_id("anomaly-table")).to_contain_text("reactor core breached")  # the episode's stretch
        snapshot(page, "anomalies-alert-root-cause")
    finally:
        httpx.delete(f"{demo.url}/api/v1/alerts/rules/{rule_id}")
