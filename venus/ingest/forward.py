"""Fluentd's Forward protocol → records: what fluentd's out_forward, Fluent Bit and fluent-logger send.

reference/protocols.md §4a is the specification. A connection carries msgpack messages back to
back (JSON arrays when its first byte is `[` or `{`); element 1 of each says its mode:

    Message                  [tag, time, record, option?]
    Forward                  [tag, [[time, record], ...], option?]
    PackedForward            [tag, bin: msgpack [time, record] entries back to back, option?]
    CompressedPackedForward  the same, option.compressed = "gzip" (several members) or "zstd"

`time` is an integer of seconds, a float, or EventTime (msgpack ext 0: seconds and nanoseconds);
Fluent Bit 2 may send `[time, metadata]`. A `nil` message is a heartbeat.

This module is pure: `read_message` sorts one decoded message into a `ForwardMessage`, and
`forward_table` turns a batch of them into a table of records (in a worker process when large).
The network side is `venus.ingest.forward_server`. Nothing a client sends in an event is
refused: a record that is not a map, or an entry that is not `[time, record]`, is stored raw; an
event time Venus cannot read becomes the receive time. Only the frame can be wrong (a message
that is not an array, a tag that is not text): that is a `ForwardError`, and the connection ends.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

import msgpack
import orjson
import pyarrow as pa

from venus.errors import VenusError
from venus.ingest.compression import inflate, unzstd
from venus.parse.documents import parse_document
from venus.parse.lines import received_table
from venus.parse.paths import describe_path
from venus.parse.timestamps import TimestampReader, zone

FORWARD_SOURCE = "forward"  # the `source` of records received through Forward
EVENT_TIME_EXT = 0
_LOG_SIGNAL = 0  # Fluent Bit's option.fluent_signal: 0 logs, 1 metrics, 2 traces
_KOLLA_TAG_PREFIX = "kolla."


class ForwardError(VenusError):
    """The stream is not Forward protocol: the connection cannot go on."""

    status = 400


@dataclass(frozen=True, slots=True)
class EventTime:  # not a tuple: a tuple in element 1 is Forward mode's entries
    seconds: int
    nanoseconds: int


def msgpack_ext(code: int, data: bytes) -> object:
    """msgpack's ext_hook: EventTime (ext 0) is read, any other extension kept as it came."""
    if code == EVENT_TIME_EXT and len(data) == 8:
        return EventTime(*struct.unpack(">II", data))
    return msgpack.ExtType(code, data)


def unpacker(max_buffer_size: int) -> msgpack.Unpacker:
    """A streaming msgpack reader as Forward needs it: text as str (bytes that are not UTF-8
    kept by surrogateescape, so that old clients' packed entries in str come back whole), any map
    key, EventTime read."""
    return msgpack.Unpacker(raw=False, unicode_errors="surrogateescape", strict_map_key=False,
                            ext_hook=msgpack_ext, max_buffer_size=max_buffer_size)


@dataclass
class ForwardMessage:
    tag: str
    entries: list | bytes  # [[time, record], ...], or the packed (perhaps compressed) entries
    compressed: str = ""  # "", "gzip" or "zstd"
    chunk: str = ""  # the ack the client waits for, if any
    size: int = 0  # bytes the message took (for flow control)
    is_log: bool = True  # False for Fluent Bit's metrics and traces, which are not stored


@dataclass
class ForwardBatch:
    table: pa.Table
    skipped: list[str]  # why messages were not stored


def read_message(message: Any, size: int = 0) -> ForwardMessage | None:
    """One decoded message → what it carries; None for a heartbeat. Raises ForwardError when the
    message is not Forward protocol at all."""
    if message is None:
        return None
    if not isinstance(message, list | tuple) or len(message) < 2:
        raise ForwardError(f"expected a message [tag, ...], got {_shape(message)}")
    tag = message[0]
    if not isinstance(tag, str):
        raise ForwardError(f"the tag should be text, got {_shape(tag)}")
    second = message[1]
    if isinstance(second, list | tuple):  # Forward
        option = message[2] if len(message) > 2 else None
        entries = list(second)
    elif isinstance(second, bytes | str):  # PackedForward (old clients pack the entries as str)
        option = message[2] if len(message) > 2 else None
        entries = second.encode("utf-8", "surrogateescape") if isinstance(second, str) else second
    else:  # Message: [tag, time, record, option?]
        if len(message) < 3:
            raise ForwardError("a Message mode message needs [tag, time, record]")
        option = message[3] if len(message) > 3 else None
        entries = [[second, message[2]]]
    option = option if isinstance(option, dict) else {}
    compressed = option.get("compressed") or ""
    if compressed == "text":
        compressed = ""
    if compressed not in ("", "gzip", "zstd"):
        raise ForwardError(f"option.compressed {compressed!r} is not supported: gzip, zstd or text")
    if compressed and not isinstance(entries, bytes):
        raise ForwardError("option.compressed is set but the entries are not packed")
    chunk = option.get("chunk")
    return ForwardMessage(tag, entries, compressed, chunk if isinstance(chunk, str) else "", size,
                          option.get("fluent_signal", _LOG_SIGNAL) == _LOG_SIGNAL)


def _shape(value: Any) -> str:
    return "nil" if value is None else type(value).__name__


def forward_table(messages: list[ForwardMessage], timezone_name: str, received_us: int,
                  max_bytes: int) -> ForwardBatch:
    """The records of a batch of messages. Packed entries are opened within `max_bytes`
    (`[api] max_body_bytes`); a message whose entries cannot be opened is skipped and said why."""
    clock = TimestampReader(zone(timezone_name))
    records: list[dict] = []
    skipped: list[str] = []
    for message in messages:
        if not message.is_log:
            continue
        try:
            entries, problem = _entries(message, max_bytes)
        except VenusError as exc:  # the entries cannot be opened at all
            skipped.append(f"tag {message.tag!r}: {exc.message}")
            continue
        if problem:
            skipped.append(f"tag {message.tag!r}: {problem} (the {len(entries)} events before are stored)")
        from_tag = tag_fields(message.tag)
        for entry in entries:
            record = _record(entry, clock) or {"level": "UNKNOWN",
                                               "message": orjson.dumps(entry, default=_text).decode()}
            for name, value in from_tag.items():
                record.setdefault(name, value)
            record.setdefault("attrs", {})["tag"] = message.tag
            records.append(record)
    return ForwardBatch(received_table(records, FORWARD_SOURCE, received_us), skipped)


def _entries(message: ForwardMessage, max_bytes: int) -> tuple[list, str]:
    """The message's entries, and what is wrong with the rest of them when the packed stream
    breaks off: the entries before the break are whole and kept."""
    if isinstance(message.entries, list):
        return message.entries, ""
    packed = message.entries
    option = "[api] max_body_bytes"
    if message.compressed == "gzip":
        packed = inflate(packed, max_bytes, option)
    elif message.compressed == "zstd":
        packed = unzstd(packed, max_bytes, option)
    reader = unpacker(len(packed) or 1)
    reader.feed(packed)
    entries: list = []
    try:
        entries.extend(reader)
    except (msgpack.UnpackException, ValueError) as exc:
        return entries, f"the packed entries are not msgpack after {len(entries)} events: {exc}"
    if reader.tell() < len(packed):
        return entries, "the packed entries end in the middle of an event"
    return entries, ""


def _record(entry: Any, clock: TimestampReader) -> dict | None:
    """An entry [time, record] → record fields, or None when it is not one."""
    if not isinstance(entry, list | tuple) or len(entry) != 2 or not isinstance(entry[1], dict):
        return None
    when, document = entry
    if isinstance(when, list | tuple) and when:  # Fluent Bit 2: [time, metadata]
        when = when[0]
    return parse_document(document, clock, event_time_us(when))


def event_time_us(value: Any) -> int | None:
    """Microseconds since the epoch of a Forward event time, or None when it is not one."""
    if isinstance(value, EventTime):
        return value.seconds * 1_000_000 + value.nanoseconds // 1000
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return int(value * 1_000_000)


def tag_fields(tag: str) -> dict:
    """What a tag says of its events. kolla's fluentd tails /var/log/kolla/<service>/<file> with
    tag `kolla.var.log.kolla.nova.nova-api.log`; the OpenStack fluent handler's tag is
    `openstack.<service>`."""
    parts = tag.removeprefix(_KOLLA_TAG_PREFIX).split(".")
    if parts[:2] == ["var", "log"] and len(parts) > 3:
        # The file's dots became the tag's too: its last part is the extension.
        described = describe_path("/" + "/".join(parts[:-1]) + "." + parts[-1])
        return {"service": described.service, "program": described.program}
    first, _, rest = tag.partition(".")
    if first == "openstack" and rest:
        return {"service": rest.split(".", 1)[0]}
    return {}


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    return str(value)
