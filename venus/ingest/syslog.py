"""Syslog over the network → records: the framing of a TCP stream, and a batch of messages → a table.

reference/protocols.md §4e. Over UDP a datagram is one message (RFC 5426). Over TCP (RFC 6587)
each frame says its own framing: a leading digit is octet counting (`LEN SP MSG`), anything else
runs to LF (rsyslog, syslog-ng) or NUL (Python's SysLogHandler); CR before either is dropped.

Messages are read by `parse_syslog_line` (RFC 3164, RFC 5424, `<PRI>message` alone; HAProxy,
kernel and oslo.log messages within): a message that is not syslog at all is stored raw, never
refused. A message without a host takes the sender's address.
"""

from __future__ import annotations

import re

import pyarrow as pa

from venus.errors import BadRequest
from venus.parse.lines import received_table
from venus.parse.syslog import parse_syslog_line
from venus.parse.timestamps import TimestampReader, zone

SYSLOG_SOURCE = "syslog"  # the `source` of records received over the network
MAX_LENGTH_DIGITS = 10  # an octet count longer than this is not one
_END = re.compile(rb"[\n\0]")


class FramingError(BadRequest):
    """A TCP stream that cannot be cut into messages: the connection ends."""


def split_frames(buffer: bytes, max_message_bytes: int) -> tuple[list[bytes], bytes]:
    """The complete messages at the start of `buffer`, and what is left for the next read. A
    message over `max_message_bytes` is cut there (LF framing) or refused (octet counting)."""
    messages: list[bytes] = []
    at, size = 0, len(buffer)
    while at < size:
        first = buffer[at:at + 1]
        if first in (b"\n", b"\r", b"\0", b" "):  # blank frames between messages
            at += 1
            continue
        if first.isdigit():
            space = buffer.find(b" ", at, at + MAX_LENGTH_DIGITS + 1)
            if space < 0 and size - at <= MAX_LENGTH_DIGITS:
                break  # the count may not have arrived whole
            if space > at and buffer[at:space].isdigit():
                length = int(buffer[at:space])
                if length > max_message_bytes:
                    raise FramingError(f"a message of {length:,} bytes is over the limit of "
                                       f"{max_message_bytes:,} ([import] max_line_bytes)")
                end = space + 1 + length
                if end > size:
                    break
                messages.append(buffer[space + 1:end])
                at = end
                continue
            # Digits not followed by a space: a message without <PRI>, framed by its end.
        end = _terminator(buffer, at)
        if end < 0:
            if size - at > max_message_bytes:  # no end in sight: what came is one message, cut
                messages.append(buffer[at:at + max_message_bytes])
                at += max_message_bytes
                continue
            break
        messages.append(buffer[at:end].rstrip(b"\r"))
        at = end + 1
    return messages, buffer[at:]


def _terminator(buffer: bytes, start: int) -> int:
    # One search for either end: two finds would each scan to the end of the buffer when a
    # stream uses only the other, once per message.
    end = _END.search(buffer, start)
    return end.start() if end else -1


def syslog_table(messages: list[bytes], peers: list[str], timezone_name: str, received_us: int) -> pa.Table:
    """The records of messages received from `peers` (one address per message)."""
    clock = TimestampReader(zone(timezone_name))
    records = []
    for data, peer in zip(messages, peers, strict=True):
        text = data.decode("utf-8", "backslashreplace").rstrip("\r\n\0")
        record = parse_syslog_line(text, clock) or {"level": "UNKNOWN", "message": text}
        if not record.get("host"):
            record["host"] = peer
        records.append(record)
    return received_table(records, SYSLOG_SOURCE, received_us)
