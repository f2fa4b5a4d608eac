"""Two `venus serve` nodes, each with its own data directory, sharing one MariaDB metadata
database (created and dropped by the test): every scheduled run of a task happens exactly once,
on one node or the other, slot after slot."""

from __future__ import annotations

import time
from datetime import datetime
from itertools import pairwise

import httpx
import pytest

from tests.conftest import Server
from tests.test_metadata import SERVERS, _server_database

pytestmark = pytest.mark.server


def test_two_nodes_sharing_mariadb_run_each_task_exactly_once_per_interval(tmp_path):
    admin, name = _server_database("mariadb")
    env = {"VENUS_METADATA_URL": f"{SERVERS['mariadb']}/{name}", "VENUS_V1_ANOMALY_DETECT_INTERVAL": "0"}
    nodes = []
    try:
        nodes = [Server(tmp_path / f"node{i}" / "data", env=env) for i in range(2)]
        api = nodes[0].url
        for task, schedule in (("alerts", "2s"), ("cleanup", "3s")):
            assert httpx.patch(f"{api}/api/v1/tasks/{task}", json={"schedule": schedule}).status_code == 200
        time.sleep(14)
        runs = httpx.get(f"{nodes[1].url}/api/v1/tasks/runs", params={"limit": 1000}).json()["runs"]
    finally:
        for node in nodes:
            node.stop()
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE {name}")
        admin.dispose()
    for task, every in (("alerts", 2), ("cleanup", 3)):
        mine = [r for r in runs if r["task"] == task and r["scheduled_for"]]
        slots = sorted(datetime.fromisoformat(r["scheduled_for"]) for r in mine)
        assert len(slots) == len(set(slots)) >= 14 // every - 2, (task, slots)  # no slot run twice
        gaps = {round((b - a).total_seconds(), 3) for a, b in pairwise(slots)}
        assert gaps == {float(every)}, (task, gaps)  # and none skipped
        assert all(r["outcome"] == "ok" for r in mine)
