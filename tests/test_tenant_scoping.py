"""Tenant scoping ([api] tenant_scoping): a token scoped to a project, without
venus:logs:all_projects, reads only the lines carrying that project's id, on every route that reads
logs (the test enumerates them), and nothing that spans every project; admin reads everything; with
scoping off, the member reads every line again. Real servers, API tokens made with a project
(Keystone's tokens are checked the same way in test_keystone.py)."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.conftest import Server, run_cli
from venus.api.app import create_app, route_rules
from venus.config import load_settings
from venus.store.scope import scoped_to, table_filters

pytestmark = pytest.mark.server
ENV = {"VENUS_API_AUTH_STRATEGY": "token", "VENUS_API_TENANT_SCOPING": "true"}
ALPHA, BRAVO = "a1f0000000000000000000000000alfa", "b2f0000000000000000000000000brav"
SHARED_REQUEST, SHARED_INSTANCE = "req-5e1d5a3e-0000-4000-8000-000000000001", "0c0ffee0-0000-4000-8000-000000000002"


def make_token(data_dir, name: str, role: str, project: str = "", env: dict | None = None) -> str:
    args = ["tokens", "create", name, "--role", role, "--json"] + (["--project", project] if project else [])
    made = run_cli(*args, env={**os.environ, "VENUS_DATA_DIR": str(data_dir), **(env or ENV)})
    return json.loads(made.stdout)["secret"]


def lines(now: datetime) -> list[dict]:
    """Project alpha's lines, project bravo's on the same host, file, request and instance, and a
    system line with no project: each carries its owner's word."""
    out = []
    for i in range(30):
        ts = (now - timedelta(minutes=30) + timedelta(seconds=50 * i)).isoformat()
        common = {"host": "cmp1", "program": "nova-compute", "source": "/var/log/nova/nova-compute.log",
                  "request_id": SHARED_REQUEST, "global_request_id": SHARED_REQUEST, "instance_id": SHARED_INSTANCE}
        out.append({**common, "@timestamp": ts, "level": "ERROR", "project_id": ALPHA,
                    "message": f"alphaword instance {i} failed to spawn: No valid host was found"})
        out.append({**common, "@timestamp": ts, "level": "ERROR", "project_id": BRAVO,
                    "message": f"bravoword volume {i} detached from the guest by the operator"})
        out.append({"host": "cmp1", "program": "kernel", "source": "/var/log/kern.log", "@timestamp": ts,
                    "level": "WARNING", "message": f"systemword oom-killer woke {i} times"})
    return out


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    data = tmp_path_factory.mktemp("scoping") / "data"
    secrets = {"admin": make_token(data, "admin", "admin"),
               "member": make_token(data, "alpha-member", "member", ALPHA),
               "reader": make_token(data, "alpha-reader", "reader", ALPHA),
               "unscoped": make_token(data, "no-project", "member")}
    server = Server(data, env=ENV)
    server.secrets = secrets
    admin = {"Authorization": f"Bearer {secrets['admin']}"}
    sent = httpx.post(f"{server.url}/api/v1/ingest", headers=admin, timeout=30,
                      content="\n".join(json.dumps(x) for x in lines(datetime.now(UTC))))
    assert sent.json()["accepted"] == 90, sent.text
    deadline = time.monotonic() + 20
    while count(server, "admin") < 90 and time.monotonic() < deadline:
        time.sleep(0.2)
    yield server
    server.stop()


def get(server: Server, who: str, path: str, **params) -> httpx.Response:
    return httpx.get(f"{server.url}{path}", params=params, timeout=60,
                     headers={"Authorization": f"Bearer {server.secrets[who]}"})


def count(server: Server, who: str, q: str = "") -> int:
    return get(server, who, "/api/v1/count", q=q, since="2h").json()["count"]


def first_hit(server: Server, q: str) -> dict:
    return get(server, "admin", "/api/v1/search", q=q, since="2h", limit=1).json()["hits"][0]


def epoch(delta: timedelta) -> int:
    return int((datetime.now(UTC) + delta).timestamp())


def log_routes(server: Server) -> dict[str, tuple[str, dict]]:
    """Every GET route that reads logs: its path as declared, and the path and parameters that make
    it read this test's lines."""
    alpha_line = first_hit(server, "alphaword")
    window = {"since": "2h"}
    recent = {"since": "30m", "lookback": "1h"}
    v1 = {"start_time": epoch(-timedelta(hours=2)), "end_time": epoch(timedelta(minutes=1))}
    plain = {
        "/api/v1/search": window, "/api/v1/count": window, "/api/v1/histogram": window,
        "/api/v1/facets": {"field": "program", **window}, "/api/v1/fields": window,
        "/api/v1/stats": {"by": "project_id", **window}, "/api/v1/crosstab": {"by": "project_id", **window},
        "/api/v1/export": window, "/api/v1/tail": {"lines": 100}, "/api/v1/query/check": {"q": "level:ERROR"},
        "/api/v1/templates": window, "/api/v1/typical": window, "/api/v1/typical/signatures": {},
        "/api/v1/latency": window, "/api/v1/anomalies": recent, "/api/v1/anomalies/explain": recent,
        "/api/v1/anomalies/sequences": recent, "/api/v1/rca": recent, "/api/v1/dependencies": {},
        "/api/v1/searches": {},
        "/v1/search/logs": {**v1, "page_num": 1, "page_size": 100}, "/v1/search/logs/download": v1,
        "/v1/search/params": {**v1, "type": "host_name"},
        "/v1/search/analyse/logs": {**v1, "group_name": "program_name"},
        "/v1/search/typical/logs": {**v1, "type": "error_stats"},
        "/v1/search/instance/callchain": {**v1, "uuid": SHARED_INSTANCE},
        "/v1/search/instance/request_ids": {**v1, "uuid": SHARED_INSTANCE},
        "/v1/search/trace_log": {**v1, "global_id": SHARED_REQUEST},
    }
    routes = {path: (path, params) for path, params in plain.items()}
    routes["/api/v1/context/{line_id}"] = (f"/api/v1/context/{alpha_line['id']}", {"before": 50, "after": 50})
    routes["/api/v1/chain/{ident}"] = (f"/api/v1/chain/{SHARED_REQUEST}", {})
    routes["/api/v1/instances/{uuid}/requests"] = (f"/api/v1/instances/{SHARED_INSTANCE}/requests", {})
    routes["/api/v1/templates/{template_id}"] = (f"/api/v1/templates/{alpha_line['template_id']}", {})
    routes["/api/v1/searches/{ident}"] = ("/api/v1/searches/{ident}", {})  # made by the test
    return routes


def read_route(server: Server, who: str, path: str, params: dict) -> httpx.Response:
    if path == "/api/v1/searches/{ident}":
        made = httpx.post(f"{server.url}/api/v1/searches", json={"name": "alpha errors", "query": "level:ERROR"},
                          headers={"Authorization": f"Bearer {server.secrets[who]}"}, timeout=30)
        path = f"/api/v1/searches/{made.json()['search']['id']}"
    if path != "/api/v1/tail":
        return get(server, who, path, **params)
    with httpx.stream("GET", f"{server.url}{path}", params=params, timeout=30,
                      headers={"Authorization": f"Bearer {server.secrets[who]}"}) as answer:
        first = next(answer.iter_bytes())  # the newest lines, then it follows: one chunk is the answer
        return httpx.Response(answer.status_code, content=first)


def declared_log_routes() -> list[str]:
    import tempfile
    with tempfile.TemporaryDirectory() as data:
        rules = route_rules(create_app(load_settings(None, {"VENUS_DATA_DIR": data})))
    return sorted(path for (method, path), rule in rules.items() if rule == "venus:logs:read" and method == "GET")


@pytest.mark.parametrize("route", declared_log_routes())
def test_a_scoped_member_never_reads_another_projects_or_the_systems_lines(srv, route):
    routes = log_routes(srv)
    assert route in routes, f"{route} reads logs: add its case to log_routes"
    path, params = routes[route]
    answer = read_route(srv, "member", path, params)
    assert answer.status_code == 200, answer.text
    assert "bravo" not in answer.text and BRAVO not in answer.text and "systemword" not in answer.text


@pytest.mark.parametrize("path", ["/api/v1/search", "/api/v1/export", "/v1/search/logs",
                                  f"/api/v1/chain/{SHARED_REQUEST}", "/v1/search/trace_log"])
def test_a_scoped_member_reads_its_own_projects_lines(srv, path):
    answer = read_route(srv, "member", *log_routes(srv)[path.split("/" + SHARED_REQUEST)[0] + (
        "/{ident}" if SHARED_REQUEST in path else "")])
    assert "alphaword" in answer.text


def test_a_scoped_member_counts_only_its_projects_lines_and_admin_counts_all(srv):
    assert (count(srv, "member"), count(srv, "reader"), count(srv, "admin")) == (30, 30, 90)


def test_the_query_language_cannot_widen_the_scope(srv):
    assert count(srv, "member", f"project_id:{BRAVO} OR project_id:{ALPHA} OR NOT project_id:{ALPHA}") == 30


def test_a_template_mined_from_another_projects_lines_is_not_found(srv):
    answer = get(srv, "member", f"/api/v1/templates/{first_hit(srv, 'bravoword')['template_id']}")
    assert (answer.status_code, answer.json()["field"]) == (404, "template")


def test_whoami_says_the_project_a_token_is_confined_to(srv):
    assert get(srv, "member", "/api/v1/whoami").json()["project_scope"] == ALPHA
    assert get(srv, "admin", "/api/v1/whoami").json()["project_scope"] is None


@pytest.mark.parametrize("path", ["/api/v1/alerts/rules", "/api/v1/alerts", "/v1/anomaly/record/list"])
def test_alerts_span_every_project_so_a_scoped_reader_is_refused_them(srv, path):
    answer = get(srv, "reader", path)
    assert (answer.status_code, answer.json()["field"]) == (403, "Authorization")
    assert "tenant scoping is on" in answer.text


def test_a_token_scoped_to_no_project_reads_nothing(srv):
    answer = get(srv, "unscoped", "/api/v1/count")
    assert (answer.status_code, answer.json()["field"]) == (403, "Authorization")
    assert "scoped to no project" in answer.json()["error"]


def test_a_scoped_reader_may_still_read_the_retention_for_the_configuration_panel(srv):
    assert get(srv, "reader", "/v1/custom_config").status_code == 200


def test_with_scoping_off_the_member_reads_every_line(srv, tmp_path):
    env = {"VENUS_API_AUTH_STRATEGY": "token"}
    data = tmp_path / "data"
    member = make_token(data, "alpha-member", "member", ALPHA, env)
    admin = make_token(data, "admin", "admin", "", env)
    server = Server(data, env=env)
    try:
        for x in lines(datetime.now(UTC))[:3]:
            httpx.post(f"{server.url}/api/v1/ingest", json=x, headers={"Authorization": f"Bearer {admin}"})
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            got = httpx.get(f"{server.url}/api/v1/count", params={"since": "2h"},
                            headers={"Authorization": f"Bearer {member}"}).json()["count"]
            if got == 3:
                break
            time.sleep(0.2)
        assert got == 3
    finally:
        server.stop()


# -- the store's part -------------------------------------------------------------------------


def test_the_store_reads_only_the_scoped_projects_lines_in_subqueries_and_joins_too(store):
    from tests.conftest import insert_text
    insert_text(store, "2026-11-20 10:00:00.000 7 ERROR nova.compute [req-1 u1 alpha - - -] one\n"
                       "2026-11-20 10:00:01.000 7 ERROR nova.compute [req-1 u2 bravo - - -] two\n")
    join = ("SELECT count() FROM (SELECT request_id FROM logs) AS a "
            "INNER JOIN (SELECT request_id FROM logs) AS b USING request_id")
    with scoped_to("alpha"):
        assert [store.query(sql).rows[0][0] for sql in ("SELECT count() FROM logs", join)] == [1, 1]
    assert [store.query(sql).rows[0][0] for sql in ("SELECT count() FROM logs", join)] == [2, 4]


@pytest.mark.parametrize("project", ["a' OR 1=1 --", "a\\", "", "x" * 65, "alpha beta", "ä"])
def test_a_project_id_that_could_leave_the_filters_literal_is_refused(project):
    with pytest.raises(ValueError, match="not a project id"):
        table_filters(project)
