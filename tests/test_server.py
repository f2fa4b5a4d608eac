"""The real server on a loopback port: API, error shape, CLI over HTTP, ownership, shutdown."""

import os
import signal
import subprocess
import sys

import httpx
import pytest

from tests.conftest import Server, loghub, run_cli, settings_for
from venus.errors import StoreLocked
from venus.store import open_store

pytestmark = pytest.mark.server


def test_health_and_openapi(server):
    health = httpx.get(f"{server.url}/healthz").json()
    assert health["ok"] is True and health["store"] == "chdb"
    paths = httpx.get(f"{server.url}/openapi.json").json()["paths"]
    assert {"/api/v1/search", "/api/v1/import", "/api/v1/context/{line_id}", "/api/v1/export"} <= set(paths)


def test_cli_imports_over_http_and_searches(server):
    result = server.cli("import", "-q", "--host", "loghub1", str(loghub("OpenStack_2k.log")))
    assert f"into {server.url}" in result.stdout and "2,000 lines" in result.stdout
    count = httpx.get(f"{server.url}/api/v1/count", params={"q": "host:loghub1"}).json()
    assert count == {"ok": True, "count": 2000}
    again = server.cli("import", "-q", "--host", "loghub1", str(loghub("OpenStack_2k.log")))
    assert "0 lines" in again.stdout
    out = server.cli("search", "--json", "--limit", "2", "host:loghub1")
    rows = [httpx.Response(200, content=line).json() for line in out.stdout.splitlines()]
    assert len(rows) == 2 and rows[0]["ts"] >= rows[1]["ts"]
    ctx = server.cli("context", rows[1]["id"], "--before", "2", "--after", "1", "--json")
    assert [httpx.Response(200, content=line).json()["id"] for line in ctx.stdout.splitlines()][2:] == [
        rows[1]["id"], rows[0]["id"]]


def test_search_api_pages_and_reports_totals(server):
    server.cli("import", "-q", "--host", "loghub2", str(loghub("OpenStack_2k.log")))
    first = httpx.get(f"{server.url}/api/v1/search", params={"q": "host:loghub2", "limit": 1500}).json()
    assert (first["total"], first["count"]) == (2000, 1500) and first["next_cursor"]
    second = httpx.get(f"{server.url}/api/v1/search", params={"q": "host:loghub2", "limit": 1500,
                                                             "cursor": first["next_cursor"]}).json()
    assert second["count"] == 500 and second["next_cursor"] is None
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}


def test_histogram_facets_and_export_endpoints(server):
    server.cli("import", "-q", "--host", "loghub3", str(loghub("OpenStack_2k.log")))
    hist = httpx.get(f"{server.url}/api/v1/histogram", params={"q": "host:loghub3"}).json()
    assert hist["total"] == 2000 and 20 <= len(hist["buckets"]) <= 120
    facets = httpx.get(f"{server.url}/api/v1/facets", params={"q": "host:loghub3", "field": ["program", "level"]}).json()
    assert facets["facets"][0]["values"][0] == {"value": "nova-api", "count": 1060}
    export = httpx.get(f"{server.url}/api/v1/export", params={"q": "host:loghub3", "format": "csv"})
    assert export.headers["content-type"].startswith("text/csv")
    assert len(export.text.splitlines()) == 2001


def test_query_check_gives_the_normal_form_and_the_terms_to_mark(server):
    body = httpx.get(f"{server.url}/api/v1/query/check",
                     params={"q": 'host:cmp1 "No valid host" -timeout nova* message:/fail(ed)?/'}).json()
    assert body["valid"] is True
    assert body["query"] == 'host:cmp1 AND "No valid host" AND NOT timeout AND nova* AND message:/fail(ed)?/'
    assert body["highlight"] == [{"kind": "phrase", "text": "No valid host"}, {"kind": "prefix", "text": "nova"},
                                 {"kind": "regex", "text": "fail(ed)?"}]


def test_a_query_that_does_not_parse_says_where(server):
    body = httpx.get(f"{server.url}/api/v1/query/check", params={"q": "level:(ERROR"}).json()
    assert (body["valid"], body["position"], body["reason"]) == (False, 12, "expected ')', found the end of the query")
    assert httpx.get(f"{server.url}/api/v1/search", params={"q": "level:(ERROR"}).json()["position"] == 12


def test_a_query_the_compiler_refuses_is_not_valid(server):
    body = httpx.get(f"{server.url}/api/v1/query/check", params={"q": "ts:yesterday"}).json()
    assert (body["valid"], body["position"]) == (False, None)
    assert body["reason"].startswith("'ts' is a time; use a range")


def test_fields_lists_the_columns_their_aliases_and_attrs_keys(server):
    body = httpx.get(f"{server.url}/api/v1/fields").json()
    names = [f["name"] for f in body["fields"]]
    assert names[:3] == ["ts", "host", "service"] and "attrs" not in names
    assert body["aliases"]["programname"] == "program"
    assert isinstance(body["attrs"], list)


@pytest.mark.parametrize("path,params,status,field", [
    ("/api/v1/search", {"q": "level:("}, 400, "q"),
    ("/api/v1/search", {"q": "nosuchfield:x"}, 400, "q"),
    ("/api/v1/search", {"limit": "abc"}, 400, "limit"),
    ("/api/v1/search", {"limit": 10**9}, 400, "limit"),
    ("/api/v1/search", {"since": "yesterday-ish"}, 400, "since"),
    ("/api/v1/search", {"cursor": "%%%"}, 400, "cursor"),
    ("/api/v1/context/bogus", {}, 400, "id"),
    ("/api/v1/export", {"format": "xml"}, 400, "format"),
    ("/api/v1/facets", {"field": "message"}, 400, "field"),
    ("/api/v1/crosstab", {}, 400, "by"),
    ("/api/v1/crosstab", {"by": "message"}, 400, "by"),
    ("/api/v1/crosstab", {"by": ["host", "level", "program", "logger"]}, 400, "by"),
    ("/api/v1/crosstab", {"by": "host", "size": 10**7}, 400, "size"),
    ("/api/v1/latency", {"sort": "random"}, 400, "sort"),
    ("/api/v1/latency", {"slowest": -1}, 400, "slowest"),
    ("/api/v1/chain/not-an-id", {}, 400, "id"),
    ("/api/v1/chain/req-11111111-2222-4333-8444-555555555555", {"format": "xml"}, 400, "format"),
    ("/api/v1/instances/1%27%20OR%201=1/requests", {}, 400, "id"),
    ("/api/v1/nothing", {}, 404, None),
])
def test_bad_requests_get_a_json_error_naming_the_field(server, path, params, status, field):
    resp = httpx.get(f"{server.url}{path}", params=params)
    body = resp.json()
    assert resp.status_code == status
    assert body["ok"] is False and body["status"] == status and body["error"]
    assert body.get("field") == field
    assert "Traceback" not in resp.text


def test_import_endpoint_refuses_bad_input_clearly(server):
    url = f"{server.url}/api/v1/import"
    missing = httpx.post(url, params={"path": "/var/log/x.log"}, content=b"x\n")
    assert (missing.status_code, missing.json()["field"]) == (400, "fingerprint")
    wrong = httpx.post(url, params={"path": "/var/log/x.log", "fingerprint": "f", "offset": 5}, content=b"x\n")
    assert (wrong.status_code, wrong.json()["expected_offset"]) == (409, 0)
    negative = httpx.post(url, params={"path": "/var/log/x.log", "fingerprint": "f", "offset": -1}, content=b"x\n")
    assert negative.status_code == 400 and negative.json()["field"] == "offset"


def test_oversized_body_is_refused_with_413(tmp_path):
    srv = Server(tmp_path / "data", env={"VENUS_API_MAX_BODY_BYTES": "2048"})
    try:
        resp = httpx.post(f"{srv.url}/api/v1/import", params={"path": "/var/log/x.log", "fingerprint": "f"},
                          content=b"x" * 4096)
        assert resp.status_code == 413 and resp.json()["field"] == "body"
    finally:
        srv.stop()


def test_a_second_process_is_told_who_holds_the_store(server):
    with pytest.raises(StoreLocked) as err:
        open_store(settings_for(server.data_dir), role="pytest")
    assert f"serving {server.url}" in err.value.message
    second = subprocess.run([sys.executable, "-m", "venus", "serve", "--port", "1"], env=server.env,
                            capture_output=True, text=True, timeout=60)
    assert second.returncode != 0
    assert "is in use by venus serve" in second.stderr + second.stdout


def test_token_is_required_when_configured(tmp_path):
    srv = Server(tmp_path / "data", env={"VENUS_API_AUTH_TOKEN": "s3cret"})
    try:
        assert httpx.get(f"{srv.url}/api/v1/count").status_code == 401
        ok = httpx.get(f"{srv.url}/api/v1/count", headers={"Authorization": "Bearer s3cret"})
        assert ok.json() == {"ok": True, "count": 0}
        assert httpx.get(f"{srv.url}/healthz").status_code == 200
    finally:
        srv.stop()


def test_refuses_to_listen_beyond_loopback_without_a_token(tmp_path):
    result = run_cli("serve", "--host", "0.0.0.0", "--port", "1",
                     env={**os.environ, "VENUS_DATA_DIR": str(tmp_path)}, check=False)
    assert result.returncode == 2
    assert "refusing to listen on 0.0.0.0 without authentication" in result.stderr


def test_sigterm_stops_cleanly_and_keeps_what_was_acknowledged(tmp_path):
    sample = loghub("OpenStack_2k.log")
    srv = Server(tmp_path / "data")
    try:
        srv.cli("import", "-q", "--host", "h", str(sample))
        srv.proc.send_signal(signal.SIGTERM)
        srv.proc.wait(30)
    finally:
        # uvicorn finishes the requests in flight, runs the shutdown (closing the store), then
        # re-raises the signal so the exit status says how the process ended.
        code = srv.stop()
    assert code == -signal.SIGTERM
    st = open_store(settings_for(tmp_path / "data"), role="pytest")
    try:
        assert st.query("SELECT count() FROM logs").rows[0][0] == 2000
    finally:
        st.close()


def test_typical_errors_endpoints(server, tmp_path):
    log = tmp_path / "nova-conductor.log"
    head = "2026-05-06 18:06:57.123 7 {} nova.conductor.manager [-] "
    log.write_text(head.format("ERROR") + "Failed to schedule\n" + head.format("ERROR") + "Failed again\n"
                   + head.format("WARNING") + "No valid host was found. There are not enough hosts available.\n")
    server.cli("import", "-q", "--host", "typical1", str(log))
    catalogue = httpx.get(f"{server.url}/api/v1/typical/signatures").json()
    assert catalogue["ok"] and catalogue["signatures"][0]["id"] == "error_stats"
    result = httpx.get(f"{server.url}/api/v1/typical",
                       params={"q": "host:typical1", "signature": ["error_stats", "novalidhost_error_stats"]}).json()
    errors, novalidhost = result["signatures"]
    assert (errors["total"], novalidhost["total"]) == (2, 1)
    assert errors["programs"][0]["program"] == "nova-conductor" and novalidhost["example"]["level"] == "WARNING"
    bad = httpx.get(f"{server.url}/api/v1/typical", params={"signature": "nope"})
    assert bad.status_code == 400 and bad.json()["field"] == "signature"


def test_analysis_endpoints_and_cli_chain(server, tmp_path):
    server.cli("import", "-q", "--host", "chain1", str(loghub("OpenStack_2k.log")))
    # The sample is imported under other hosts too: one request of it gets an id of its own.
    rid = "req-3ea4052c-895d-4b64-9e2d-04d64c4d94ab"
    sample = loghub("OpenStack_2k.log").read_text().splitlines(keepends=True)
    (tmp_path / "nova-compute.log").write_text("".join(
        line.split(" ", 1)[1].replace(rid[4:], "3ea4052c-0000-4000-8000-000000000001") for line in sample
        if rid in line))
    server.cli("import", "-q", "--host", "chain2", str(tmp_path / "nova-compute.log"))
    rid = "req-3ea4052c-0000-4000-8000-000000000001"
    crosstab = httpx.get(f"{server.url}/api/v1/crosstab", params={"q": "host:chain1", "by": ["program", "level"]}).json()
    assert crosstab["ok"] and crosstab["total"] == 2000 and crosstab["table"]["columns"][:2] == ["INFO", "WARNING"]
    latency = httpx.get(f"{server.url}/api/v1/latency", params={"q": "host:chain1"}).json()
    assert latency["apis"][0]["route"] == "/v2/{uuid}/servers/detail" and len(latency["slowest"]) == 10
    chain = httpx.get(f"{server.url}/api/v1/chain/{rid}").json()
    assert chain["ok"] and chain["line_count"] == 130
    csv_text = httpx.get(f"{server.url}/api/v1/chain/{rid}", params={"format": "csv"}).text
    assert len(csv_text.splitlines()) == 131
    text = server.cli("chain", rid).stdout
    assert text.startswith("request 3ea4052c-0000-4000-8000-000000000001: 130 lines, 0 errors")
    assert "nova/nova-compute on chain2 req-3ea4052c-0000-4000-8000-000000000001: 130 lines" in text
    missing = server.cli("chain", "req-00000000-0000-4000-8000-000000000000", check=False)
    assert missing.returncode == 1 and "no line carries" in missing.stdout


NATIVE_GETS = ["/api/v1/search", "/api/v1/count", "/api/v1/histogram", "/api/v1/facets", "/api/v1/typical",
               "/api/v1/typical/signatures", "/api/v1/crosstab", "/api/v1/latency", "/api/v1/export",
               "/api/v1/context/x", "/api/v1/chain/x", "/api/v1/instances/x/requests", "/api/v1/stats",
               "/api/v1/import/checkpoint"]
NATIVE_BAD = [
    {},
    {"q": "level:(", "since": "2030-01-01", "until": "2020-01-01"},  # reversed range
    {"limit": "0", "size": "-1", "buckets": "1", "before": "-1", "after": "1e9", "slowest": "x"},
    {"limit": str(10**12), "size": str(10**12), "buckets": str(10**12), "by": ["a", "b", "c", "d"]},
    {"q": "' OR 1=1 --", "field": "attrs.`x`", "by": "attrs.'; DROP TABLE logs", "route": "'", "sort": "p95;"},
    {"q": "/(a+)+$/", "cursor": "\x00", "format": "csv\r\n", "signature": "\u202e", "host": "\xff"},
]


@pytest.mark.parametrize("path", NATIVE_GETS)
@pytest.mark.parametrize("params", NATIVE_BAD, ids=range(len(NATIVE_BAD)))
def test_bad_input_on_native_endpoints_is_a_4xx_json_never_a_500(server, path, params):
    resp = httpx.get(f"{server.url}{path}", params=params)
    assert resp.status_code < 500, resp.text
    if resp.status_code >= 400:
        body = resp.json()
        assert body["ok"] is False and body["error"]


def test_retention_set_through_v1_outlives_a_restart_without_being_altered_twice(tmp_path):
    srv = Server(tmp_path / "data")
    try:
        answer = httpx.post(f"{srv.url}/v1/custom_config", json={"id": "log_save_days", "value": "9"},
                            headers={"X-Auth-Token": "admin:admin"}).json()
        assert answer == {"code": 0, "msg": "OK"}
    finally:
        srv.stop()
    again = Server(tmp_path / "data")
    try:
        assert httpx.get(f"{again.url}/api/v1/stats").json()["retention_days"] == 9
    finally:
        again.stop()
    assert "store open" in again.output and "setting the retention" not in again.output
