"""Elasticsearch-compatible ingest, through the official `elasticsearch` client against the real server."""

import asyncio
import gzip

import httpx
import orjson
import pytest
from elasticsearch import AuthenticationException, Elasticsearch, helpers

from tests.conftest import Server, free_port, settings_for
from venus.api.app import create_app

pytestmark = pytest.mark.server

REQ, GREQ = "5b6c791d-5709-4f36-8fbe-c3e02869e35d", "8c4b3c6e-1a0b-4b9e-9d2f-0f5a2c1d3e4f"
INSTANCE = "3f0c2f7e-9a51-4a43-8b1e-7a3b6f0d2c11"
USER, PROJECT = "50bbc907c4114c5fb6eb28fdaf64a477", "1d7753cbc6244d25aeccd8addfbb7b0b"

# What kolla's fluentd sends (reference/protocols.md §1.1): its oslo.log regex splits 8-token
# context blocks; `[-]` and legacy blocks stay in Payload, with a leading space.
KOLLA_ACCESS = {
    "Timestamp": "2026-05-06 18:06:57.671", "Pid": "23", "log_level": "INFO",
    "python_module": "nova.api.openstack.requestlog", "global_request_id": GREQ, "request_id": REQ,
    "user_id": USER, "tenant_id": PROJECT, "domain_id": "-", "system_scope": "-", "user_domain": "default",
    "project_domain": "default",
    "Payload": ' 10.0.0.11 "GET /v2.1/servers/detail" status: 200 len: 1834 microversion: 2.1 time: 0.081234',
    "Hostname": "ctl1", "Logger": "openstack.nova", "programname": "nova-api",
    "@timestamp": "2026-05-06T18:06:57.671000000+00:00"}
KOLLA_NO_CONTEXT = {
    "Timestamp": "2026-05-06 18:06:58.001", "Pid": "31", "log_level": "WARNING", "python_module": "nova.compute.manager",
    "Payload": f" [-] [instance: {INSTANCE}] Instance shutdown by itself.", "Hostname": "cmp1",
    "Logger": "openstack.nova", "programname": "nova-compute", "@timestamp": "2026-05-06T18:06:58.001000000+00:00"}
KOLLA_HAPROXY = {
    "Payload": '10.0.0.9:51234 [06/May/2026:18:06:57.123] nova_api nova_api_back/ctl1 0/0/1/80/81 503 212 - - ---- '
               '12/3/0/0/0 0/0 "GET /v2.1/servers HTTP/1.1"',
    "programname": "haproxy", "log_level": "info", "Hostname": "ctl1", "@timestamp": "2026-05-06T18:06:57.000000000Z"}
FILEBEAT_LINE = {
    "@timestamp": "2026-11-22T00:00:00.000Z",
    "message": f"2026-05-06 18:07:00.100 31 ERROR nova.compute.manager [req-{REQ} - - - - -] Build failed",
    "log": {"file": {"path": "/var/log/kolla/nova/nova-compute.log"}, "offset": 1234},
    "host": {"name": "cmp2"}, "agent": {"type": "filebeat", "version": "8.11.0"}}


@pytest.fixture(scope="module")
def es_server(tmp_path_factory):
    port = free_port()
    srv = Server(tmp_path_factory.mktemp("es") / "data", env={"VENUS_RECEIVERS_ELASTICSEARCH_PORT": str(port)})
    srv.es_url = f"http://127.0.0.1:{port}"
    yield srv
    srv.stop()


def hits(server, query, limit=100):
    return httpx.get(f"{server.url}/api/v1/search", params={"q": query, "limit": limit}).json()["hits"]


def filled(hit):
    """The fields the document filled in: not what the server adds (id, arrival, order, the template
    the miner gave it, which tests/test_template_mining.py covers)."""
    assert hit["template_id"] >= 1
    return {k: v for k, v in hit.items()
            if v not in ("", 0, None, {}) and k not in ("id", "received", "offset", "template_id")}


def test_the_official_client_accepts_venus_on_its_own_port_and_under_the_prefix(es_server):
    for url in (es_server.es_url, f"{es_server.url}/elasticsearch"):
        info = Elasticsearch(url).info()
        assert (info["version"]["number"], info["tagline"]) == ("8.11.0", "You Know, for Search")


def test_kolla_documents_arrive_with_their_fields(es_server):
    es = Elasticsearch(es_server.es_url)
    actions = [{"_index": "flog-2026.05.06", "_source": doc} for doc in (KOLLA_ACCESS, KOLLA_NO_CONTEXT, KOLLA_HAPROXY)]
    assert helpers.bulk(es, actions) == (3, [])
    by_program = {h["program"]: filled(h) for h in hits(es_server, "attrs.index:flog-2026.05.06")}
    assert by_program["nova-api"] == {
        "ts": "2026-05-06T18:06:57.671000Z", "host": "ctl1", "service": "nova", "program": "nova-api",
        "source": "bulk", "pid": 23, "level": "INFO", "logger": "nova.api.openstack.requestlog", "request_id": REQ,
        "global_request_id": GREQ, "user_id": USER, "project_id": PROJECT, "user_domain": "default",
        "project_domain": "default",
        "message": '10.0.0.11 "GET /v2.1/servers/detail" status: 200 len: 1834 microversion: 2.1 time: 0.081234',
        "http_method": "GET", "http_path": "/v2.1/servers/detail", "http_route": "/v2.1/servers/detail",
        "http_status": 200, "http_bytes": 1834, "http_time_ms": pytest.approx(81.234),
        "attrs": {"client_ip": "10.0.0.11", "index": "flog-2026.05.06"}}
    assert by_program["nova-compute"] == {
        "ts": "2026-05-06T18:06:58.001000Z", "host": "cmp1", "service": "nova", "program": "nova-compute",
        "source": "bulk", "pid": 31, "level": "WARNING", "logger": "nova.compute.manager", "instance_id": INSTANCE,
        "message": "Instance shutdown by itself.", "attrs": {"index": "flog-2026.05.06"}}
    # HAProxy's own reading wins over the syslog severity, as for a syslog line: a 503 is an error.
    assert by_program["haproxy"] == {
        "ts": "2026-05-06T18:06:57Z", "host": "ctl1", "service": "haproxy", "program": "haproxy", "source": "bulk",
        "level": "ERROR", "message": KOLLA_HAPROXY["Payload"], "http_method": "GET", "http_path": "/v2.1/servers",
        "http_route": "/v2.1/servers", "http_status": 503, "http_bytes": 212, "http_time_ms": 81.0,
        "attrs": {"client_ip": "10.0.0.9", "frontend": "nova_api", "backend": "nova_api_back", "server": "ctl1",
                  "index": "flog-2026.05.06"}}


def test_a_whole_line_in_message_is_read_as_import_reads_it(es_server):
    es = Elasticsearch(es_server.es_url)
    helpers.bulk(es, [{"_index": "filebeat-8.11.0", "_op_type": "create", "_source": FILEBEAT_LINE}])
    [hit] = hits(es_server, "host:cmp2")
    assert filled(hit) == {
        "ts": "2026-05-06T18:07:00.100000Z", "host": "cmp2", "service": "nova", "program": "nova-compute",
        "source": "/var/log/kolla/nova/nova-compute.log", "pid": 31, "level": "ERROR", "logger": "nova.compute.manager",
        "request_id": REQ, "message": "Build failed",
        "attrs": {"log.offset": "1234", "agent.type": "filebeat", "agent.version": "8.11.0", "index": "filebeat-8.11.0"}}


def test_every_line_of_a_large_gzip_bulk_arrives_once(es_server):
    es = Elasticsearch(es_server.es_url, http_compress=True)
    docs = ({"_index": "flog-2026.05.07", "_source": {**KOLLA_NO_CONTEXT, "Payload": f" [-] gz line {i}",
                                                       "Hostname": "gz1"}} for i in range(20_000))
    ok, errors = helpers.bulk(es, docs, chunk_size=5000)
    assert (ok, errors) == (20_000, [])
    export = httpx.get(f"{es_server.url}/api/v1/export", params={"q": "host:gz1", "format": "ndjson"}, timeout=60)
    messages = [orjson.loads(line)["message"] for line in export.text.splitlines()]
    assert sorted(messages) == sorted(f"gz line {i}" for i in range(20_000))


def test_items_answer_in_order_and_only_update_and_delete_fail(es_server):
    body = b"\n".join([
        b'{"index":{"_index":"flog-x","_id":"a1"}}', b'{"Payload":"first","Hostname":"order1"}',
        b'{"delete":{"_index":"flog-x","_id":"a1"}}',
        b'{"create":{"_index":"flog-x"}}', b'not json at all \xff',
        b'{"update":{"_index":"flog-x","_id":"a1"}}', b'{"doc":{"x":1}}',
        b'{"create":{}}', b'[1, 2, 3]', b""])
    resp = httpx.post(f"{es_server.es_url}/_bulk", content=body, headers={"Content-Type": "application/x-ndjson"})
    assert resp.status_code == 200 and resp.headers["x-elastic-product"] == "Elasticsearch"
    answer = resp.json()
    assert answer["errors"] is True
    assert [(next(iter(i)), next(iter(i.values()))["status"]) for i in answer["items"]] == [
        ("index", 201), ("delete", 400), ("create", 201), ("update", 400), ("create", 201)]
    assert answer["items"][0]["index"]["_id"] == "a1"
    assert answer["items"][1]["delete"]["error"]["type"] == "illegal_argument_exception"
    stored = sorted((h["level"], h["message"]) for h in hits(es_server, "attrs.index:flog-x OR message:\"[1, 2, 3]\""))
    assert stored == [("INFO", "first"), ("UNKNOWN", "[1, 2, 3]"), ("UNKNOWN", "not json at all \\xff")]


@pytest.mark.parametrize("body,headers,status,words", [
    (b'{"index":{}}\n{"a":1}\nnot an action\n{"b":2}\n', {}, 400, "line 3 of the bulk body"),
    (b'{"index":{}, "create":{}}\n{}\n', {}, 400, "line 1 of the bulk body should be one action"),
    (b'{"upsert":{}}\n{}\n', {}, 400, "unknown action 'upsert'"),
    (gzip.compress(b'{"index":{}}\n{"a":1}\n')[:-12], {"Content-Encoding": "gzip"}, 400, "truncated"),
    (b"\x1f\x8b not gzip", {"Content-Encoding": "gzip"}, 400, "not valid gzip"),
    (b"{}", {"Content-Encoding": "br"}, 400, "Content-Encoding 'br' is not supported"),
])
def test_a_broken_bulk_frame_is_a_400_in_elasticsearch_shape(es_server, body, headers, status, words):
    resp = httpx.post(f"{es_server.es_url}/_bulk", content=body, headers=headers)
    assert resp.status_code == status
    error = resp.json()["error"]
    assert words in error["reason"] and error["root_cause"][0]["type"] == error["type"]


def test_a_gzip_bomb_stops_at_the_body_limit(tmp_path):
    srv = Server(tmp_path / "data", env={"VENUS_API_MAX_BODY_BYTES": str(1 << 20)})
    try:
        bomb = gzip.compress(b"\n" * (64 << 20))  # 64 MiB of newlines in 64 KiB
        resp = httpx.post(f"{srv.url}/elasticsearch/_bulk", content=bomb, headers={"Content-Encoding": "gzip"})
        assert resp.status_code == 413
        assert "once decompressed" in resp.json()["error"]["reason"]
        assert httpx.get(f"{srv.url}/healthz").status_code == 200
    finally:
        srv.stop()


def test_a_50_mb_bulk_body_is_stored_whole(es_server):
    line = "x" * (1 << 20)
    body = b"".join(b'{"create":{"_index":"big"}}\n' + orjson.dumps({"message": f"{i} {line}", "host": "big1"}) + b"\n"
                    for i in range(50))
    assert len(body) > 50 << 20
    resp = httpx.post(f"{es_server.es_url}/_bulk", content=body, timeout=120)
    assert resp.status_code == 200 and resp.json()["errors"] is False
    sizes = httpx.get(f"{es_server.url}/api/v1/crosstab", params={"by": "host", "q": "host:big1"}).json()
    assert sizes["total"] == 50


def test_start_up_calls_of_the_shippers_get_correct_answers(es_server):
    url = es_server.es_url
    nodes = httpx.get(f"{url}/_nodes/http").json()["nodes"]
    assert [n["http"]["publish_address"] for n in nodes.values()] == [url.removeprefix("http://")]
    assert httpx.head(f"{url}/").status_code == 200
    assert httpx.get(f"{url}/_license").json()["license"]["status"] == "active"
    assert httpx.get(f"{url}/_cluster/health").json()["status"] == "green"
    assert httpx.put(f"{url}/_index_template/filebeat-8.11.0", json={"index_patterns": ["x"]}).json() == {
        "acknowledged": True}
    assert httpx.get(f"{url}/_index_template/filebeat-8.11.0").json() == {
        "index_templates": [{"name": "filebeat-8.11.0", "index_template": {}}]}
    assert httpx.put(f"{url}/_ilm/policy/filebeat", json={"policy": {}}).json() == {"acknowledged": True}
    assert httpx.put(f"{url}/_plugins/_ism/policies/retention", json={}).json() == {"acknowledged": True}
    opensearch = httpx.get(f"{url}/", headers={"User-Agent": "opensearch-ruby/3.0.1"}).json()
    assert opensearch["version"]["distribution"] == "opensearch"


def test_the_token_is_taken_as_api_key_basic_password_or_bearer(tmp_path):
    port = free_port()
    srv = Server(tmp_path / "data", env={"VENUS_API_AUTH_TOKEN": "s3cret",
                                         "VENUS_RECEIVERS_ELASTICSEARCH_PORT": str(port)})
    url = f"http://127.0.0.1:{port}"
    try:
        with pytest.raises(AuthenticationException):
            Elasticsearch(url).info()
        for client in (Elasticsearch(url, api_key="s3cret"), Elasticsearch(url, basic_auth=("fluentd", "s3cret")),
                       Elasticsearch(url, bearer_auth="s3cret")):
            assert helpers.bulk(client, [{"_index": "flog-a", "_source": {"message": "authenticated"}}]) == (1, [])
        for base in (url, f"{srv.url}/elasticsearch"):
            wrong = httpx.post(f"{base}/_bulk", content=b"{}", auth=("fluentd", "wrong"))
            assert wrong.status_code == 401 and wrong.json()["error"]["type"] == "security_exception"
        assert helpers.bulk(Elasticsearch(f"{srv.url}/elasticsearch", api_key="s3cret"),
                            [{"_index": "flog-a", "_source": {"message": "under the prefix"}}]) == (1, [])
        assert httpx.get(f"{srv.url}/api/v1/count").status_code == 401  # the rest of the API still asks
    finally:
        srv.stop()


def test_a_store_that_falls_behind_gets_429_with_retry_after(tmp_path):
    # The real app and store in this process: the store's write lock is held, as by a long
    # insert, so that what is received piles up past [receivers] max_pending_bytes.
    settings = settings_for(tmp_path / "data", VENUS_RECEIVERS_MAX_PENDING_BYTES=str(1 << 20))
    app = create_app(settings)
    first = b"".join(b'{"create":{}}\n' + orjson.dumps({"message": "m" * 1000}) + b"\n" for _ in range(2000))

    async def run() -> tuple[int, int, str, int]:
        async with app.router.lifespan_context(app):
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://venus")
            lock = app.state.store._write_lock
            lock.acquire()
            try:
                pending = asyncio.create_task(client.post("/elasticsearch/_bulk", content=first))
                while app.state.writer.pending_bytes == 0:
                    await asyncio.sleep(0.01)
                refused = await client.post("/elasticsearch/_bulk", content=first)
            finally:
                lock.release()
            accepted = await pending
            rows = app.state.store.disk_usage()["rows"]
            return refused.status_code, accepted.status_code, refused.headers.get("retry-after"), rows

    refused, accepted, retry_after, rows = asyncio.run(run())
    assert (refused, retry_after, accepted, rows) == (429, "1", 200, 2000)
