"""Loki push (`POST /loki/api/v1/push`) → records: what Promtail, Grafana Alloy, Vector's loki sink
and Fluent Bit's loki output send.

reference/protocols.md §4c. JSON: `{"streams": [{"stream": {labels}, "values": [["<ns>", "line",
{metadata}?], ...]}]}`; protobuf: snappy (block format) of `logproto.PushRequest`, whose labels
are Prometheus label-set text (`{job="nova", host="ctl1"}`).

Each entry becomes a document for `parse_document`: the stream's labels, then the entry's
structured metadata, with the line as the message (a whole log line is read as import reads
it). Loki's usual label names are mapped first (`filename` is the file, `service_name` the
service, `detected_level` the level).

The protobuf messages are described here rather than compiled from push.proto: a string field
is read as bytes (same wire format), so a line that is not UTF-8 is kept as escapes instead of
failing the whole push.
"""

from __future__ import annotations

import re
from typing import Any

import cramjam
import orjson
import pyarrow as pa
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, timestamp_pb2
from google.protobuf.message import DecodeError

from venus.errors import BadRequest, PayloadTooLarge
from venus.parse.documents import parse_document
from venus.parse.lines import received_table
from venus.parse.timestamps import TimestampReader, zone

LOKI_SOURCE = "loki"
_LABEL_NAMES = {"filename": "log.file.path", "service_name": "service", "detected_level": "level"}
_LABEL = re.compile(r'\s*([a-zA-Z_][\w.]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?')
_UNESCAPE = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _push_request_class() -> type:
    F = descriptor_pb2.FieldDescriptorProto
    file = descriptor_pb2.FileDescriptorProto(name="venus/loki_push.proto", package="venus.logproto",
                                              syntax="proto3", dependency=["google/protobuf/timestamp.proto"])

    def message(name: str, *fields: tuple[str, int, int, int, str]) -> None:
        described = file.message_type.add(name=name)
        for field_name, number, kind, label, type_name in fields:
            added = described.field.add(name=field_name, number=number, type=kind, label=label)
            if type_name:
                added.type_name = type_name

    one, many = F.LABEL_OPTIONAL, F.LABEL_REPEATED
    message("LabelPair", ("name", 1, F.TYPE_BYTES, one, ""), ("value", 2, F.TYPE_BYTES, one, ""))
    message("Entry", ("timestamp", 1, F.TYPE_MESSAGE, one, ".google.protobuf.Timestamp"),
            ("line", 2, F.TYPE_BYTES, one, ""),
            ("structured_metadata", 3, F.TYPE_MESSAGE, many, ".venus.logproto.LabelPair"))
    message("Stream", ("labels", 1, F.TYPE_BYTES, one, ""),
            ("entries", 2, F.TYPE_MESSAGE, many, ".venus.logproto.Entry"), ("hash", 3, F.TYPE_UINT64, one, ""))
    message("PushRequest", ("streams", 1, F.TYPE_MESSAGE, many, ".venus.logproto.Stream"))
    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(timestamp_pb2.DESCRIPTOR.serialized_pb)
    pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("venus.logproto.PushRequest"))


PushRequest = _push_request_class()


def parse_labels(text: str) -> dict[str, str]:
    """`{job="nova", host="ctl1"}` → {"job": "nova", "host": "ctl1"}."""
    inner = text.strip()
    if not (inner.startswith("{") and inner.endswith("}")):
        raise BadRequest(f"labels {text[:100]!r} should be a label set such as {{job=\"nova\"}}", field="labels")
    inner = inner[1:-1]
    labels, at = {}, 0
    while at < len(inner.rstrip()):
        m = _LABEL.match(inner, at)
        if m is None:
            raise BadRequest(f"labels {text[:100]!r}: cannot read past {inner[at:at + 30]!r}", field="labels")
        labels[m.group(1)] = re.sub(r"\\(.)", lambda e: _UNESCAPE.get(e.group(1), e.group(1)), m.group(2))
        at = m.end()
    return labels


def loki_table(body: bytes, protobuf: bool, timezone_name: str, received_us: int, max_bytes: int) -> pa.Table:
    """The records of a push body (snappy-compressed protobuf, or JSON)."""
    clock = TimestampReader(zone(timezone_name))
    entries = _protobuf_entries(body, max_bytes) if protobuf else _json_entries(body)
    records = [_record(labels, ns, line, metadata, clock) for labels, ns, line, metadata in entries]
    return received_table(records, LOKI_SOURCE, received_us)


def _record(labels: dict, nanoseconds: int, line: str, metadata: dict, clock: TimestampReader) -> dict:
    document: dict[str, Any] = {_LABEL_NAMES.get(k, k): v for k, v in labels.items()}
    document.update((_LABEL_NAMES.get(k, k), v) for k, v in metadata.items())
    document["message"] = line
    return parse_document(document, clock, nanoseconds // 1000 if nanoseconds > 0 else None)


def _protobuf_entries(body: bytes, max_bytes: int) -> list[tuple[dict, int, str, dict]]:
    try:
        length = cramjam.snappy.decompress_raw_len(body)
    except cramjam.DecompressionError as exc:
        raise BadRequest(f"the body is not snappy (block format): {exc}", field="body") from None
    if length > max_bytes:
        raise PayloadTooLarge(f"the body is {length:,} bytes once decompressed; the limit is {max_bytes:,} "
                              "([api] max_body_bytes)", field="body")
    request = PushRequest()
    try:
        request.ParseFromString(bytes(cramjam.snappy.decompress_raw(body)))
    except cramjam.DecompressionError as exc:
        raise BadRequest(f"the body is not snappy (block format): {exc}", field="body") from None
    except DecodeError as exc:
        raise BadRequest(f"the body is not a Loki PushRequest: {exc}", field="body") from None
    out = []
    for stream in request.streams:
        labels = parse_labels(_text(stream.labels))
        for entry in stream.entries:
            metadata = {_text(p.name): _text(p.value) for p in entry.structured_metadata}
            ns = entry.timestamp.seconds * 1_000_000_000 + entry.timestamp.nanos
            out.append((labels, ns, _text(entry.line), metadata))
    return out


def _json_entries(body: bytes) -> list[tuple[dict, int, str, dict]]:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"the body is not JSON: {exc}", field="body") from None
    streams = document.get("streams") if isinstance(document, dict) else None
    if not isinstance(streams, list):
        raise BadRequest('the body should be {"streams": [...]}', field="streams")
    out = []
    for number, stream in enumerate(streams):
        where = f"streams[{number}]"
        if not isinstance(stream, dict) or not isinstance(stream.get("values"), list):
            raise BadRequest(f'{where} should be {{"stream": {{labels}}, "values": [...]}}', field=where)
        labels = stream.get("stream", {})
        if not isinstance(labels, dict):
            raise BadRequest(f"{where}.stream should be an object of labels", field=f"{where}.stream")
        labels = {str(k): _text(v) for k, v in labels.items()}
        for index, value in enumerate(stream["values"]):
            at = f"{where}.values[{index}]"
            if not isinstance(value, list) or len(value) not in (2, 3) or not isinstance(value[1], str):
                raise BadRequest(f'{at} should be ["<unix ns>", "line"] or ["<unix ns>", "line", {{metadata}}]',
                                 field=at)
            metadata = value[2] if len(value) == 3 and isinstance(value[2], dict) else {}
            out.append((labels, _nanoseconds(value[0], at), value[1], {str(k): _text(v) for k, v in metadata.items()}))
    return out


def _nanoseconds(value: Any, at: str) -> int:
    # Loki wants a string; a number is taken too (it may have lost digits in a float).
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return int(value)
    raise BadRequest(f"{at}[0] should be the time in Unix nanoseconds, as a string", field=at)


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    return value if isinstance(value, str) else orjson.dumps(value).decode()
