"""Template mining at ingest on a real server: every stored line gets its template, the catalogue
outlives a restart, the API and the CLI list and show templates, and mining can be switched off."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.conftest import Server
from venus.demo.generator import DemoCloud

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    root = tmp_path_factory.mktemp("template-logs")
    DemoCloud(seed=4).write_tree(root / "first", 6000, 1.0, 1_778_000_000)
    DemoCloud(seed=5).write_tree(root / "second", 3000, 1.0, 1_778_010_000)
    return root


@pytest.fixture(scope="module")
def srv(tmp_path_factory, logs):
    server = Server(tmp_path_factory.mktemp("template-srv") / "data")
    server.cli("import", "-q", str(logs / "first"))
    yield server
    server.stop()


def get(server: Server, path: str, **params) -> dict:
    return httpx.get(f"{server.url}{path}", params=params).json()


def count(server: Server, query: str) -> int:
    return get(server, "/api/v1/count", q=query, since="2000-01-01")["count"]


def test_every_imported_line_has_a_template(srv):
    assert count(srv, "") > 5000
    assert count(srv, "template_id:0") == 0


def test_the_templates_count_the_matching_lines_and_the_top_is_haproxys(srv):
    found = get(srv, "/api/v1/templates", since="2000-01-01", size=1000)
    assert sum(t["count"] for t in found["templates"]) == found["total"] == count(srv, "")
    top = found["templates"][0]
    assert top["text"].startswith("<IP>:<NUM> [<TIME>] nova_api_front nova_api_back/")
    assert top["count"] == count(srv, "program:haproxy") == count(srv, f"template_id:{top['id']}")


def test_a_query_narrows_the_templates_to_its_lines(srv):
    found = get(srv, "/api/v1/templates", q="program:nova-scheduler", since="2000-01-01")
    assert [t["text"] for t in found["templates"]] == ["Selected host: <*>"]


def test_one_template_has_its_examples(srv):
    tid = get(srv, "/api/v1/templates", q='"Selected host"', since="2000-01-01")["templates"][0]["id"]
    one = get(srv, f"/api/v1/templates/{tid}")["template"]
    assert one["text"] == "Selected host: <*>"
    assert len(one["examples"]) == 3 and all(e.startswith("Selected host: cmp") for e in one["examples"])


@pytest.mark.parametrize(("path", "params", "status", "field"), [
    ("/api/v1/templates", {"size": 0}, 400, "size"),
    ("/api/v1/templates", {"buckets": 5000}, 400, "buckets"),
    ("/api/v1/templates", {"q": "level:(ERROR"}, 400, "q"),
    ("/api/v1/templates/abc", {}, 400, "template_id"),
    ("/api/v1/templates/424242", {}, 404, "template"),
])
def test_bad_template_requests_name_the_field(srv, path, params, status, field):
    answer = httpx.get(f"{srv.url}{path}", params=params)
    assert (answer.status_code, answer.json()["field"]) == (status, field)


def test_lines_received_over_http_get_templates_too(srv):
    line = {"host": "cmp1", "program": "nova-scheduler", "message": "Selected host: cmp9"}
    assert httpx.post(f"{srv.url}/api/v1/ingest", json=line).json()["accepted"] == 1
    selected = get(srv, "/api/v1/search", q='"Selected host: cmp9"', since="2000-01-01")["hits"][0]
    known = get(srv, "/api/v1/templates", q='"Selected host"', since="2000-01-01")["templates"][0]
    assert selected["template_id"] == known["id"]


def test_the_cli_lists_and_shows_templates(srv):
    listed = srv.cli("templates", "list", "program:nova-scheduler", "--since", "2000-01-01", "--url", srv.url).stdout
    assert "Selected host: <*>" in listed
    tid = get(srv, "/api/v1/templates", q='"Selected host"', since="2000-01-01")["templates"][0]["id"]
    shown = srv.cli("templates", "show", str(tid), "--lines", "1", "--url", srv.url).stdout
    assert shown.startswith(f"template {tid}: Selected host: <*>")


def test_templates_outlive_a_restart_and_known_lines_keep_their_ids(tmp_path, logs):
    server = Server(tmp_path / "data")
    try:
        server.cli("import", "-q", str(logs / "first"))
        before = {t["text"]: t["id"] for t in get(server, "/api/v1/templates", since="2000-01-01", size=1000)["templates"]}
    finally:
        server.stop()
    server = Server(tmp_path / "data")
    try:
        server.cli("import", "-q", str(logs / "second"))
        after = get(server, "/api/v1/templates", q="program:nova-scheduler", since="2000-01-01")["templates"]
        assert [(t["text"], t["id"]) for t in after] == [("Selected host: <*>", before["Selected host: <*>"])]
        assert count(server, "template_id:0") == 0
    finally:
        server.stop()


def test_with_mining_off_lines_are_stored_with_template_zero(tmp_path, logs):
    server = Server(tmp_path / "data", env={"VENUS_ANALYSIS_MINE_TEMPLATES": "false"})
    try:
        server.cli("import", "-q", str(logs / "second"))
        found = get(server, "/api/v1/templates", since="2000-01-01")
        assert (found["templates"], found["unmined"]) == ([], count(server, ""))
    finally:
        server.stop()


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/api/v1/anomalies", {"lookback": "forever"}, "lookback"),
    ("/api/v1/anomalies", {"lookback": "60d"}, "lookback"),
    ("/api/v1/anomalies", {"since": "2026-05-06T10:00:00Z", "until": "2026-05-06T09:00:00Z"}, "since"),
    ("/api/v1/anomalies", {"q": "level:(ERROR"}, "q"),
    ("/api/v1/rca", {"request": "req-00000000-0000-0000-0000-000000000000"}, "request"),
    ("/api/v1/rca", {"instance": "not-a-uuid"}, "id"),
    ("/api/v1/anomalies/explain", {"size": 0}, "size"),
])
def test_bad_anomaly_requests_name_the_field(srv, path, params, field):
    answer = httpx.get(f"{srv.url}{path}", params=params)
    assert (answer.status_code, answer.json()["field"]) == (400, field)


def test_anomalies_rca_and_dependencies_answer_over_http(srv):
    window = {"since": "2026-05-05T16:00:00Z", "until": "2026-05-05T17:20:00Z", "lookback": "1h"}
    anomalies = get(srv, "/api/v1/anomalies", **window)
    assert anomalies["window"] == {"start": "2026-05-05T16:00:00Z", "end": "2026-05-05T17:20:00Z"}
    assert all(a["template"] for a in anomalies["anomalies"])
    assert get(srv, "/api/v1/rca", **window)["ok"] is True
    graph = get(srv, "/api/v1/dependencies", since="2000-01-01")["dependencies"]
    assert {"glance", "neutron", "placement"} <= set(graph["nova"])


def test_the_cli_lists_anomalies_and_root_causes(srv):
    window = ["--since", "2026-05-05T16:00:00Z", "--until", "2026-05-05T17:20:00Z", "--lookback", "1h"]
    listed = srv.cli("anomalies", *window, "--url", srv.url).stdout
    assert listed.startswith("2026-05-05T16:00:00Z → 2026-05-05T17:20:00Z:")
    ranked = json.loads(srv.cli("rca", *window, "--json", "--url", srv.url).stdout)
    assert ranked["window"]["end"] == "2026-05-05T17:20:00Z"


def test_sequence_anomalies_answer_over_http_and_name_a_bad_key(srv):
    window = {"since": "2026-05-05T16:40:00Z", "until": "2026-05-05T17:20:00Z", "lookback": "1h"}
    found = get(srv, "/api/v1/anomalies/sequences", **window)
    assert found["checked"] > 0 and found["learned"] > 0
    assert all(str(t) in found["templates"] for s in found["sequences"] for t in s["steps"])
    answer = httpx.get(f"{srv.url}/api/v1/anomalies/sequences", params={**window, "key": "host"})
    assert (answer.status_code, answer.json()["field"]) == (400, "key")
