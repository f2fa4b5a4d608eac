"""Structured events (JSON documents from log shippers) → the fields of a record.

kolla's fluentd, Fluent Bit, Filebeat, Logstash, Vector and the OpenStack fluent handler send
documents, not lines. Each names the same things differently:

    kolla fluentd   Payload, Hostname, programname, log_level, python_module, Pid, Timestamp,
                    @timestamp, request_id, global_request_id, user_id, tenant_id, ..., Logger
    Filebeat        message, @timestamp, host.name, log.file.path, log.level, process.pid
    Fluent Bit      log (tail), message, date/@timestamp, host
    Vector          message, timestamp, host, source_type
    oslo.log        message, time, name, level, hostname, traceback, context.request_id, ...
    (FluentFormatter, JSONFormatter)

`parse_document` takes the first name found for each column (DOCUMENT_FIELDS), reads the
message with the line parsers when the shipper did not split it (a whole oslo.log or syslog line
in `message`) or split it only partly (kolla's regex leaves `[-]` and legacy context blocks, the
instance prefix and the access fields in `Payload`), and keeps every other field in `attrs`
(nested keys joined with dots, values as text). It never fails on content: a document with
nothing usable is a record with level UNKNOWN and the document as its message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from venus.model import infer_level, normalise_level
from venus.parse import oslo
from venus.parse.fields import merge
from venus.parse.lines import parse_line
from venus.parse.paths import describe_path, service_of
from venus.parse.syslog import program_message
from venus.parse.timestamps import TimestampReader

# Column ← document keys, first found wins. A dotted key is a path into nested objects (Filebeat's
# ECS) or a literal dotted name: documents are flattened first, so both are found.
DOCUMENT_FIELDS: dict[str, tuple[str, ...]] = {
    "message": ("Payload", "message", "log", "msg", "MESSAGE", "short_message", "full_message", "body"),
    "ts": ("@timestamp", "Timestamp", "timestamp", "time", "date", "ts", "eventTime"),
    "host": ("Hostname", "host.name", "host.hostname", "hostname", "host", "agent.hostname", "HOSTNAME",
             "_HOSTNAME"),
    "program": ("programname", "program", "ident", "SYSLOG_IDENTIFIER", "syslog_identifier", "appname", "app",
                "process.name", "container_name"),
    "service": ("service.name", "service"),
    # Not "filename": Python logging's formatters (oslo.log's among them) name the code file so.
    "source": ("log.file.path", "source", "path", "file"),
    "level": ("log_level", "log.level", "level", "severity", "severity_label", "loglevel", "levelname"),
    "logger": ("python_module", "logger", "logger_name", "name"),
    "pid": ("Pid", "pid", "process.pid", "_PID", "process"),
    "request_id": ("request_id", "context.request_id"),
    "global_request_id": ("global_request_id", "context.global_request_id"),
    "user_id": ("user_id", "context.user_id", "context.user"),
    "project_id": ("tenant_id", "project_id", "context.project_id", "context.tenant"),
    "domain_id": ("domain_id", "context.domain_id", "context.domain"),
    "user_domain": ("user_domain", "user_domain_id", "context.user_domain_id", "context.user_domain"),
    "project_domain": ("project_domain", "project_domain_id", "context.project_domain_id",
                       "context.project_domain"),
    "instance_id": ("instance_id", "instance_uuid", "instance.uuid", "extra.instance_uuid"),
}
_COLUMN_OF = {name: (column, rank)
              for column, names in DOCUMENT_FIELDS.items() for rank, name in enumerate(names)}
assert len(_COLUMN_OF) == sum(map(len, DOCUMENT_FIELDS.values())), "a key may name one column only"
# Keys a shipper adds that say nothing of the event: dropped rather than kept in attrs.
_NOISE = frozenset({"_id", "_index", "_type", "@version", "Timestamp", "tag", "fluent_tag"})
# kolla's `Logger` is "openstack.<service>" (the service directory), not a Python logger.
_KOLLA_LOGGER_PREFIX = "openstack."
_PLAIN = frozenset({str, int, float, bool, list, type(None)})  # JSON values that are not objects
MAX_ATTR_CHARS = 32 << 10  # a value longer than this is cut in attrs (the message is never cut)


def parse_document(doc: Mapping[str, Any], clock: TimestampReader, event_us: int | None = None) -> dict:
    """The record fields of one document; see the module doc. `event_us` is the time the shipper
    gave the event (Forward's event time): it wins over the document's own time fields, which are
    often naive local times, but not over a time read from a whole line in the message."""
    rest: dict[str, Any] = {}  # every value of the document by its dotted path; what is left goes to attrs
    _flatten(doc, "", rest)
    chosen: dict[str, tuple[int, str]] = {}
    for path in rest:
        hit = _COLUMN_OF.get(path)
        if hit is not None and (hit[0] not in chosen or hit[1] < chosen[hit[0]][0]):
            chosen[hit[0]] = (hit[1], path)
    found = dict.fromkeys(DOCUMENT_FIELDS)
    for column, (_, path) in chosen.items():
        found[column] = rest.pop(path)
    kolla_logger = rest.pop("Logger", None)
    if rest.get("system_scope") in ("-", "None", ""):
        del rest["system_scope"]  # kolla's context field, empty as a rule
    message = _text(found.pop("message"))
    traceback = rest.pop("traceback", None)
    if traceback:
        # oslo.log's Fluent and JSON formatters send the traceback apart (text, or a list of
        # lines); a file holds it under the message, and so does the record.
        lines = traceback if isinstance(traceback, list) else [traceback]
        texts = [_text(line) for line in lines]  # blank lines of the traceback stay
        message = "\n".join([message, *texts] if message else texts)
    level_word = _text(found.pop("level"))
    level = normalise_level(level_word) if level_word else ""
    if level_word and not level:
        rest["level"] = level_word  # a level Venus does not know (journald's "6"): kept
    split = bool(level) or found["logger"] is not None

    # What the message says: fields the document does not give itself come from there.
    fields: dict = {}
    read = False
    if message and not split:
        parsed = parse_line(message.rstrip("\r\n"), clock)  # the whole line in one field
        if parsed is not None:
            for private in ("_header", "_format", "_context"):
                parsed.pop(private, None)
            fields, read = parsed, True
    elif message and found["logger"] is not None and message[:1] in (" ", "["):
        # kolla's regex took the header and, for 8-token blocks, the context: the rest is read here.
        fields = oslo.parse_oslo_body(message.lstrip(" "), level, {})
        fields.pop("_context", None)
        read = True
    message = fields.pop("message", message)
    program = _text(found["program"])
    if not read and program:
        inner = program_message(program, message, clock)  # kolla's syslog input: HAProxy, kernel, ...
        if inner:
            message = inner.pop("message", message)
            merge(fields, inner)

    if level:
        fields.setdefault("level", level)
    raw_ts = found.pop("ts")
    if "ts" not in fields and event_us is not None:
        fields["ts"] = event_us
    elif "ts" not in fields and raw_ts is not None:
        ts = _time(raw_ts, clock)
        if ts is not None:
            fields["ts"] = ts
        else:
            rest[chosen["ts"][1]] = raw_ts  # a time Venus cannot read: kept, not lost
    for column, value in found.items():
        if value is None or column in fields:
            continue
        text = _text(value)
        if column == "pid":
            if text.isdigit() and int(text) < 1 << 32:
                fields["pid"] = int(text)
            elif text:
                rest[chosen["pid"][1]] = value  # not a process id after all: kept as it came
        elif text not in ("", "-", "None"):
            fields[column] = text.removeprefix("req-") if column.endswith("request_id") else text

    if "service" not in fields:
        if isinstance(kolla_logger, str) and kolla_logger.startswith(_KOLLA_LOGGER_PREFIX):
            fields["service"] = kolla_logger[len(_KOLLA_LOGGER_PREFIX):]
        elif fields.get("program"):
            fields["service"] = service_of(fields["program"])
        elif fields.get("source"):
            described = describe_path(fields["source"])
            fields.setdefault("program", described.program)
            fields["service"] = described.service
    elif kolla_logger is not None:
        rest["Logger"] = kolla_logger

    attrs = fields.pop("attrs", {})
    attrs.update((path, _text(value)[:MAX_ATTR_CHARS]) for path, value in rest.items() if path not in _NOISE)
    if attrs:
        fields["attrs"] = attrs
    if not message:
        # Nothing to call the message: the document is, and it says nothing of its level.
        message = orjson.dumps(doc, default=str).decode()
        fields.setdefault("level", "UNKNOWN")
    fields["message"] = message
    fields.setdefault("level", infer_level(message))
    return fields


def parse_json_line(line: bytes, clock: TimestampReader) -> dict:
    """The record fields of one line of NDJSON: a JSON object is a document; anything else (not
    JSON, not an object) is kept as it came, level UNKNOWN."""
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        value = None
    if isinstance(value, dict):
        return parse_document(value, clock)
    return {"level": "UNKNOWN", "message": line.decode("utf-8", "backslashreplace").rstrip("\r")}


def _text(value: Any) -> str:
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return orjson.dumps(value, default=str).decode()


def _time(value: Any, clock: TimestampReader) -> int | None:
    """Microseconds since the epoch from an ISO 8601 string or an epoch number (s, ms, µs or ns)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        magnitude = abs(value)
        scale = 1e6 if magnitude < 1e11 else 1e3 if magnitude < 1e14 else 1 if magnitude < 1e17 else 1e-3
        return int(value * scale)
    if isinstance(value, str) and len(value) >= 19 and value[4:5] == "-":
        return clock.iso(value)
    if isinstance(value, str) and value.replace(".", "", 1).isdigit():
        return _time(float(value), clock)
    return None


def _flatten(value: Mapping, prefix: str, out: dict[str, Any]) -> None:
    """Every value that is not an object, by its dotted path (an empty object is nothing)."""
    for key, item in value.items():
        kind = type(item)
        # Type tests first: a scalar or a dict is nearly every value, and isinstance on an ABC is slow.
        if kind is dict or (kind not in _PLAIN and isinstance(item, Mapping)):
            _flatten(item, f"{prefix}{key}.", out)
        elif item is not None:
            out[f"{prefix}{key}"] = item
