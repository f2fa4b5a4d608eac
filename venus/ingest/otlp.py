"""OTLP/HTTP logs (`POST /v1/logs`) → records: what the OpenTelemetry SDKs and Collector export.

reference/protocols.md §4d. The body is an ExportLogsServiceRequest, protobuf or JSON. OTLP's JSON
is not quite proto3 JSON: trace and span ids are hex, not base64; it is turned into the protobuf
message first, so that both encodings are read by one path.

Each log record becomes a document for `parse_document`: the resource's attributes, then the
scope's name, then the record's own attributes (the nearer wins), with the body as the message,
so `service.name`, `host.name`, `log.file.path`, `process.pid` and the rest find their columns
as they do from any shipper. A string body that is a whole log line (a Collector's filelog
receiver without parsing) is read as import reads it. The severity text, else the severity
number, is the level; `time_unix_nano`, else `observed_time_unix_nano`, the time.
"""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pyarrow as pa
from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from venus.errors import BadRequest
from venus.parse.documents import parse_document
from venus.parse.lines import received_table
from venus.parse.timestamps import TimestampReader, zone

OTLP_SOURCE = "otlp"
# Severity numbers 1-24 in steps of four (opentelemetry logs data model).
_SEVERITY_LEVELS = ("TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def read_request(body: bytes, json: bool) -> ExportLogsServiceRequest:
    """The request in either encoding; a body that is not one is a 400 naming it."""
    request = ExportLogsServiceRequest()
    try:
        if json:
            document = orjson.loads(body)
            if not isinstance(document, dict):
                raise BadRequest("the body should be an ExportLogsServiceRequest object", field="body")
            _hex_ids_to_base64(document)
            json_format.ParseDict(document, request, ignore_unknown_fields=True)
        else:
            request.ParseFromString(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"the body is not JSON: {exc}", field="body") from None
    except (json_format.ParseError, DecodeError, ValueError, TypeError) as exc:
        kind = "OTLP JSON" if json else "an OTLP protobuf ExportLogsServiceRequest"
        raise BadRequest(f"the body is not {kind}: {exc}", field="body") from None
    return request


def _hex_ids_to_base64(document: dict) -> None:
    for resource in _objects(document.get("resourceLogs")):
        for scope in _objects(resource.get("scopeLogs")):
            for record in _objects(scope.get("logRecords")):
                for key in ("traceId", "spanId"):
                    value = record.get(key)
                    if isinstance(value, str) and value:
                        try:
                            record[key] = base64.b64encode(bytes.fromhex(value)).decode()
                        except ValueError:
                            raise BadRequest(f"{key} {value!r} is not hex", field=key) from None


def _objects(value: Any) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def otlp_table(body: bytes, json: bool, timezone_name: str, received_us: int) -> pa.Table:
    """The records of a request body."""
    request = read_request(body, json)
    clock = TimestampReader(zone(timezone_name))
    records = []
    for resource_logs in request.resource_logs:
        resource = _attributes(resource_logs.resource.attributes)
        for scope_logs in resource_logs.scope_logs:
            scope = dict(resource)
            if scope_logs.scope.name:
                scope["otel.scope.name"] = scope_logs.scope.name
            for record in scope_logs.log_records:
                records.append(_record(record, scope, clock))
    return received_table(records, OTLP_SOURCE, received_us)


def _record(record: Any, scope: dict, clock: TimestampReader) -> dict:
    document = {**scope, **_attributes(record.attributes)}
    if record.HasField("body"):
        document["message"] = _value(record.body)
    level = record.severity_text or _level_of(record.severity_number)
    if level:
        document["level"] = level
    if record.trace_id:
        document["trace_id"] = record.trace_id.hex()
    if record.span_id:
        document["span_id"] = record.span_id.hex()
    if record.event_name:
        document["event_name"] = record.event_name
    nanoseconds = record.time_unix_nano or record.observed_time_unix_nano
    return parse_document(document, clock, nanoseconds // 1000 if nanoseconds else None)


def _level_of(number: int) -> str:
    return _SEVERITY_LEVELS[(number - 1) // 4] if 1 <= number <= 24 else ""


def _attributes(pairs: Any) -> dict:
    return {pair.key: _value(pair.value) for pair in pairs}


def _value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [_value(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return _attributes(value.kvlist_value.values)
    if kind == "bytes_value":
        return base64.b64encode(value.bytes_value).decode()
    return getattr(value, kind)
