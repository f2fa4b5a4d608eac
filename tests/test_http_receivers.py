"""OTLP/HTTP logs, Loki push and JSON lines on the API port, against the real server: the
OpenTelemetry SDK's OTLP/HTTP exporter sends; Loki's two encodings are sent as Promtail sends them."""

import gzip
import uuid

import cramjam
import httpx
import orjson
import pytest
from opentelemetry._logs import LogRecord, SeverityNumber
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk.resources import Resource
from opentelemetry.trace import TraceFlags

from tests.conftest import Server, search_hits
from venus.ingest.loki import PushRequest

pytestmark = pytest.mark.server

REQ = "5b6c791d-5709-4f36-8fbe-c3e02869e35d"
T0_NS = 1_778_090_817_000_000_000  # 2026-05-06 18:06:57 UTC


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("receivers") / "data")
    yield srv
    srv.stop()


def marker():
    return uuid.uuid4().hex[:12]


@pytest.mark.parametrize("compression", [Compression.NoCompression, Compression.Gzip], ids=["plain", "gzip"])
def test_opentelemetry_sdk_logs_arrive_with_resource_severity_and_attributes(server, compression):
    word = marker()
    provider = LoggerProvider(resource=Resource.create({"service.name": "nova-api", "host.name": "ctl1"}))
    exporter = OTLPLogExporter(endpoint=f"{server.url}/v1/logs", compression=compression)
    provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    logger = provider.get_logger(f"otel-{word}")
    try:
        logger.emit(timestamp=T0_NS, severity_number=SeverityNumber.WARN, severity_text="WARNING",
                    body=f"disk {word} almost full", attributes={"request_id": f"req-{REQ}", "volume": "vol-1"})
        logger.emit(LogRecord(timestamp=T0_NS + 1000, severity_number=SeverityNumber.ERROR, body=f"disk {word} failed",
                              trace_id=0x5B8EFFF798038103D269B633813FC60C, span_id=0xEEE19B7EC3C1B174,
                              trace_flags=TraceFlags(TraceFlags.SAMPLED)))
    finally:
        provider.shutdown()  # SimpleLogRecordProcessor has sent each record as it came
    found = search_hits(server, word)
    assert [(h["ts"], h["level"], h["host"], h["service"], h["message"]) for h in found] == [
        ("2026-05-06T18:06:57Z", "WARNING", "ctl1", "nova-api", f"disk {word} almost full"),
        ("2026-05-06T18:06:57.000001Z", "ERROR", "ctl1", "nova-api", f"disk {word} failed")]
    assert found[0]["request_id"] == REQ
    assert found[0]["source"] == "otlp"
    assert found[0]["attrs"]["volume"] == "vol-1"
    assert found[0]["attrs"]["otel.scope.name"] == f"otel-{word}"
    assert found[1]["attrs"]["trace_id"] == "5b8efff798038103d269b633813fc60c"


def test_otlp_json_with_hex_trace_ids(server):
    word = marker()
    body = {"resourceLogs": [{"resource": {"attributes": [{"key": "host.name", "value": {"stringValue": "cmp1"}}]},
                              "scopeLogs": [{"scope": {"name": "my.scope"}, "logRecords": [{
                                  "timeUnixNano": str(T0_NS + 123_456_000), "severityNumber": 17,
                                  "body": {"stringValue": f"json {word}"},
                                  "traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174",
                                  "attributes": [{"key": "n", "value": {"intValue": "7"}}]}]}]}]}
    response = httpx.post(f"{server.url}/v1/logs", content=orjson.dumps(body),
                          headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()) == (200, {})
    [hit] = search_hits(server, word)
    assert (hit["ts"], hit["level"], hit["host"]) == ("2026-05-06T18:06:57.123456Z", "ERROR", "cmp1")
    assert hit["attrs"] == {"trace_id": "5b8efff798038103d269b633813fc60c", "span_id": "eee19b7ec3c1b174",
                            "n": "7", "otel.scope.name": "my.scope"}


@pytest.mark.parametrize(("headers", "body", "status", "field"), [
    ({"Content-Type": "text/plain"}, b"x", 415, "Content-Type"),
    ({"Content-Type": "application/x-protobuf"}, b"\xff\xff\xff", 400, "body"),
    ({"Content-Type": "application/json"}, b"{not json", 400, "body"),
    ({"Content-Type": "application/json"}, b'{"resourceLogs": [{"scopeLogs": [{"logRecords": [{"traceId": "zz"}]}]}]}',
     400, "traceId"),
])
def test_otlp_bad_requests_name_the_field(server, headers, body, status, field):
    response = httpx.post(f"{server.url}/v1/logs", content=body, headers=headers)
    assert response.status_code == status
    assert response.json()["field"] == field


def loki_protobuf(labels, entries):
    request = PushRequest()
    stream = request.streams.add()
    stream.labels = labels.encode()
    for ns, line, metadata in entries:
        entry = stream.entries.add()
        entry.timestamp.seconds, entry.timestamp.nanos = divmod(ns, 1_000_000_000)
        entry.line = line
        for name, value in metadata.items():
            pair = entry.structured_metadata.add()
            pair.name, pair.value = name.encode(), value.encode()
    return bytes(cramjam.snappy.compress_raw(request.SerializeToString()))


def test_loki_protobuf_push_answers_204_and_reads_labels(server):
    word = marker()
    oslo = f"2026-05-06 18:06:57.671 23 ERROR nova.compute.manager [req-{REQ} - - - - -] boot {word} failed"
    body = loki_protobuf('{host="cmp1", filename="/var/log/kolla/nova/nova-compute.log", job="kolla"}', [
        (T0_NS, oslo.encode(), {}),
        (T0_NS + 1_000_000_000, f"plain {word} \xff".encode("latin-1"), {"trace_id": "abc"})])
    response = httpx.post(f"{server.url}/loki/api/v1/push", content=body,
                          headers={"Content-Type": "application/x-protobuf", "Content-Encoding": "snappy"})
    assert (response.status_code, response.content) == (204, b"")
    found = search_hits(server, word)
    assert [(h["ts"], h["host"], h["service"], h["program"], h["level"], h["request_id"], h["message"])
            for h in found] == [
        ("2026-05-06T18:06:57.671000Z", "cmp1", "nova", "nova-compute", "ERROR", REQ, f"boot {word} failed"),
        ("2026-05-06T18:06:58Z", "cmp1", "nova", "nova-compute", "INFO", "", f"plain {word} \\xff")]
    assert found[1]["attrs"] == {"job": "kolla", "trace_id": "abc"}


def test_loki_json_push_gzip(server):
    word = marker()
    body = {"streams": [{"stream": {"host": "ctl2", "service_name": "keystone", "detected_level": "warn"},
                         "values": [[str(T0_NS), f"json {word}"], [str(T0_NS + 5), f"second {word}", {"k": "v"}]]}]}
    response = httpx.post(f"{server.url}/loki/api/v1/push", content=gzip.compress(orjson.dumps(body)),
                          headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert response.status_code == 204
    found = search_hits(server, word)
    assert [(h["host"], h["service"], h["level"], h["message"]) for h in found] == [
        ("ctl2", "keystone", "WARNING", f"json {word}"), ("ctl2", "keystone", "WARNING", f"second {word}")]


@pytest.mark.parametrize(("body", "field"), [
    (b'{"streams": 1}', "streams"),
    (b'{"streams": [{"stream": {}, "values": [["soon", "line"]]}]}', "streams[0].values[0]"),
    (b'{"streams": [{"stream": {}, "values": [["1", 2]]}]}', "streams[0].values[0]"),
    (b'{"streams": [{"stream": [], "values": []}]}', "streams[0].stream"),
])
def test_loki_bad_json_names_the_entry(server, body, field):
    response = httpx.post(f"{server.url}/loki/api/v1/push", content=body, headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()["field"]) == (400, field)


def test_loki_bad_snappy_and_bad_labels(server):
    response = httpx.post(f"{server.url}/loki/api/v1/push", content=b"\x00garbage",
                          headers={"Content-Type": "application/x-protobuf"})
    assert (response.status_code, response.json()["field"]) == (400, "body")
    body = loki_protobuf("job=nova", [(T0_NS, b"x", {})])
    response = httpx.post(f"{server.url}/loki/api/v1/push", content=body, headers={"Content-Type": "application/x-protobuf"})
    assert (response.status_code, response.json()["field"]) == (400, "labels")


def test_json_lines_store_objects_and_plain_lines(server):
    word = marker()
    lines = [orjson.dumps({"message": f"object {word}", "host": "ctl3", "level": "error",
                           "@timestamp": "2026-05-06T18:06:57Z", "request_id": f"req-{REQ}"}),
             f"plain text {word}".encode(), b"[1, 2]  " + word.encode(), b"", b"{broken " + word.encode()]
    response = httpx.post(f"{server.url}/api/v1/ingest", params={"source": "my-app"}, content=b"\n".join(lines))
    assert response.json() == {"ok": True, "accepted": 4}
    found = search_hits(server, word)
    assert sorted((h["level"], h["message"], h["source"]) for h in found) == [
        ("ERROR", f"object {word}", "my-app"), ("UNKNOWN", "[1, 2]  " + word, "my-app"),
        ("UNKNOWN", "plain text " + word, "my-app"), ("UNKNOWN", "{broken " + word, "my-app")]


def test_a_gzip_bomb_is_refused_with_413(server):
    bomb = gzip.compress(b"\0" * (65 << 20), compresslevel=9)
    for path in ("/api/v1/ingest", "/loki/api/v1/push", "/v1/logs"):
        response = httpx.post(f"{server.url}{path}", content=bomb,
                              headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})
        assert (response.status_code, response.json()["field"]) == (413, "body"), path
    assert httpx.get(f"{server.url}/healthz").status_code == 200


def test_a_body_over_the_limit_is_refused_before_it_is_read(server):
    response = httpx.post(f"{server.url}/api/v1/ingest", content=b"x" * (65 << 20))
    assert response.status_code == 413
    assert response.json()["error"] == "the body is 68157440 bytes; the limit is 67108864 ([api] max_body_bytes)"


def test_otlp_path_is_not_taken_for_the_v1_api_without_a_token(server):
    """The /v1 Venus API answers 204 to requests without a token; OTLP's /v1/logs is not part of it."""
    response = httpx.post(f"{server.url}/v1/logs", content=b"", headers={"Content-Type": "application/x-protobuf"})
    assert (response.status_code, response.content) == (200, b"")
