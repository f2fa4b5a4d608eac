"""Anomalies driving alerts, and root cause from an alert, on a real server: the demo cloud's
MariaDB fails twenty minutes before now; an anomaly rule created over the API fires for it when
the alerts task runs, and `rca?alert=` ranks the failure first over that alert's episode."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import httpx
import pytest

from tests.conftest import Server
from venus.demo.generator import DemoCloud

pytestmark = pytest.mark.server

HOURS = 12.0
FAILED_AGO = 20 * 60  # seconds before the data's end (now) that MariaDB fails
RULE = {"name": "unusual", "condition": "anomaly", "kinds": ["new_template"], "group_by": ["service", "host"],
        "threshold": 5, "window": "30m", "lookback": "10h"}


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    root = tmp_path_factory.mktemp("anomaly-alerts")
    end = time.time()
    cloud = DemoCloud(seed=21)
    written = cloud.write_tree(root / "logs", 30_000, HOURS, end, scenario="mariadb_down",
                               scenario_at=1 - FAILED_AGO / (HOURS * 3600), deviations=0.1)
    assert written["scenario"], "the lines ran out before the failure"
    server = Server(root / "data")
    server.cli("import", "-q", str(root / "logs"))
    for rule in (RULE, {"name": "quiet", "query": "service:nothing-logs-this", "threshold": 1}):
        assert httpx.post(f"{server.url}/api/v1/alerts/rules", json=rule).status_code == 201
    assert httpx.post(f"{server.url}/api/v1/tasks/alerts/run", timeout=60).json()["ok"] is True
    server.end, server.deviated = end, cloud.deviated
    yield server
    server.stop()


def iso_z(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def firing(srv) -> dict:
    alerts = httpx.get(f"{srv.url}/api/v1/alerts", params={"rule": "unusual"}).json()["alerts"]
    return {(a["labels"]["service"], a["labels"]["host"]): a for a in alerts if a["state"] == "firing"}


def test_an_anomaly_rule_fires_for_the_failed_database(srv):
    alert = firing(srv)[("mariadb", "ctl1")]
    assert alert["value"] >= RULE["threshold"]


def test_root_cause_of_the_alert_ranks_the_failed_database_first(srv):
    alert = firing(srv)[("mariadb", "ctl1")]
    found = httpx.get(f"{srv.url}/api/v1/rca", params={"alert": "unusual", "group": alert["group_key"],
                                                         "lookback": "10h"}).json()
    episode = found["alert"]
    assert (episode["rule"], episode["group_key"], episode["fired_at"]) == ("unusual", alert["group_key"],
                                                                            episode["breached_at"])
    assert (found["candidates"][0]["service"], found["candidates"][0]["host"]) == ("mariadb", "ctl1")
    assert found["candidates"][0]["template"].startswith("mysqld got signal")


def test_the_cli_finds_the_root_cause_of_an_alert(srv):
    printed = srv.cli("rca", "--alert", "unusual", "--lookback", "10h", "--size", "3", "--url", srv.url).stdout
    assert printed.startswith("alert unusual (")
    assert "1. mariadb on ctl1" in printed


@pytest.mark.parametrize(("params", "status", "field"), [
    ({"alert": "no-such-rule"}, 404, "alert"),
    ({"alert": "quiet"}, 400, "alert"),
    ({"alert": "unusual", "group": "0" * 32}, 400, "group"),
    ({"alert": "unusual", "request": "req-00000000-0000-0000-0000-000000000000"}, 400, "alert"),
])
def test_a_bad_alert_for_root_cause_names_the_field(srv, params, status, field):
    answer = httpx.get(f"{srv.url}/api/v1/rca", params=params)
    assert (answer.status_code, answer.json()["field"]) == (status, field), answer.text


def test_the_cli_lists_the_instances_whose_boot_deviates(srv):
    window = ["--since", iso_z(srv.end - 4 * 3600), "--until", iso_z(srv.end), "--lookback", "8h"]
    found = json.loads(srv.cli("anomalies", "--sequences", *window, "--json", "--url", srv.url).stdout)
    assert found["deviating"] > 0 and {s["key"] for s in found["sequences"]} <= set(srv.deviated)
    printed = srv.cli("anomalies", "--sequences", *window, "--url", srv.url).stdout
    assert printed.startswith(f"{found['window']['start']} → {found['window']['end']}: {found['deviating']} of "
                              f"{found['checked']} instances deviate (learned from {found['learned']})")
    assert all(s["key"] in printed for s in found["sequences"])
