"""From the raw lines of one source to log records: choose the format, join multi-line records.

`SourceParser` is fed lines in file order (possibly across many batches) and keeps the record
being built, because a traceback may continue in the next batch. Rules:

* a line that a format understands starts a new record, except the lines of an oslo.log
  `logging_exception_prefix` traceback, which repeat the header of the record they belong to;
* a line no format understands (a bare traceback line, an indented continuation) joins the
  record before it; with no record before it, it is stored raw with level UNKNOWN;
* joining stops at MAX_JOINED_LINES lines or MAX_RECORD_CHARS characters, after which the next
  line starts a raw record: nothing is dropped, nothing grows without bound.

The format that parsed the previous line is tried first, so a homogeneous file costs one regex
match per line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import accumulate

import pyarrow as pa

from venus.model import ARROW_SCHEMA, COLUMNS, Column
from venus.parse import oslo
from venus.parse.access import parse_apache_access_line, parse_uwsgi_line
from venus.parse.generic import parse_apache_error_line, parse_hadoop_line, parse_log4j_line
from venus.parse.paths import SourceInfo, program_of, service_of
from venus.parse.platform import parse_dmesg_line, parse_libvirt_line, parse_mariadb_line, parse_rabbitmq_line
from venus.parse.syslog import parse_syslog_line
from venus.parse.timestamps import TimestampReader

LineFormat = Callable[[str, TimestampReader], "dict | None"]

# Most specific first: the first format that accepts a line owns it.
LINE_FORMATS: tuple[tuple[str, LineFormat], ...] = (
    ("oslo", oslo.parse_oslo_line),
    ("syslog", parse_syslog_line),
    ("rabbitmq", parse_rabbitmq_line),
    ("mariadb", parse_mariadb_line),
    ("libvirt", parse_libvirt_line),
    ("uwsgi", parse_uwsgi_line),
    ("apache_access", parse_apache_access_line),
    ("apache_error", parse_apache_error_line),
    ("log4j", parse_log4j_line),
    ("hadoop", parse_hadoop_line),
    ("dmesg", parse_dmesg_line),
)

FORMAT_NAMES: tuple[str, ...] = tuple(name for name, _ in LINE_FORMATS)
# What a record no format read is called where the format is shown (the parse inspector).
RAW_FORMAT = "raw"

MAX_JOINED_LINES = 1000
MAX_RECORD_CHARS = 1 << 20

# "nova-api.log.1.2017-05-16_13:53:08 <line>": lines of several files concatenated with their
# file name in front (archives, `tail -f a b`, Loghub). The name gives the program.
_FILE_PREFIX = re.compile(r"([\w.@-]+\.log(?:[.\w:-]*)?) (?=\S)")



@dataclass
class ParseStats:
    lines: int = 0  # input lines that went into the records
    records: int = 0  # records made of them (a traceback is one record of many lines)
    parsed: int = 0  # records a format understood
    raw: int = 0  # records stored as they came, level UNKNOWN
    blank: int = 0  # empty lines between records (nothing to store)
    formats: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, records: list[dict], blank: int = 0) -> ParseStats:
        stats = cls(blank=blank)
        for r in records:
            stats.lines += r["_lines"]
            fmt = r.get("_format")
            if fmt:
                stats.formats[fmt] = stats.formats.get(fmt, 0) + 1
        stats.records = len(records)
        stats.parsed = sum(stats.formats.values())
        stats.raw = stats.records - stats.parsed
        return stats

    def add(self, other: ParseStats) -> None:
        self.lines += other.lines
        self.records += other.records
        self.parsed += other.parsed
        self.raw += other.raw
        self.blank += other.blank
        for k, v in other.formats.items():
            self.formats[k] = self.formats.get(k, 0) + v

    def as_dict(self) -> dict:
        return {"lines": self.lines, "records": self.records, "parsed": self.parsed, "raw": self.raw,
                "blank": self.blank, "formats": dict(self.formats)}


class SourceParser:
    """Turns the lines of one source into records; see the module doc for the joining rules."""

    def __init__(self, source: SourceInfo, clock: TimestampReader, received_us: int,
                 formats: tuple[tuple[str, LineFormat], ...] = LINE_FORMATS) -> None:
        self.source = source
        self.formats = formats
        self.clock = clock
        self.received_us = received_us
        self.blank = 0
        self._records: list[dict] = []
        self._current: dict | None = None
        self._preferred = 0
        self._prefixed = False

    def _parse(self, line: str) -> dict | None:
        clock = self.clock
        formats = self.formats
        name, fmt = formats[self._preferred]
        fields = fmt(line, clock)
        if fields is not None:
            fields["_format"] = name
            return fields
        for i, (name, fmt) in enumerate(formats):
            if i == self._preferred:
                continue
            fields = fmt(line, clock)
            if fields is not None:
                self._preferred = i
                fields["_format"] = name
                return fields
        return None

    def _parse_prefixed(self, line: str) -> dict | None:
        m = _FILE_PREFIX.match(line)
        if m is None:
            return None
        fields = self._parse(line[m.end():])
        if fields is not None:
            program = program_of(m.group(1))
            fields.setdefault("program", program)
            fields.setdefault("service", service_of(program))
            fields.setdefault("attrs", {})["file"] = m.group(1)
        return fields

    def _parse_any(self, line: str) -> dict | None:
        """Try the way that worked for the previous line first (with or without a file prefix)."""
        if self._prefixed:
            fields = self._parse_prefixed(line)
            if fields is None:
                fields = self._parse(line)
                self._prefixed = fields is None
            return fields
        fields = self._parse(line)
        if fields is None and "." in line[:120]:
            fields = self._parse_prefixed(line)
            self._prefixed = fields is not None
        return fields

    def feed(self, lines: Iterable[str], offsets: Iterable[int]) -> None:
        for line, offset in zip(lines, offsets):
            self._feed_line(line.rstrip("\r"), offset)

    def _feed_line(self, line: str, offset: int) -> None:
        current = self._current
        first = line[:1]
        fields = self._parse_any(line) if first and not first.isspace() else None
        if fields is not None:
            if (current is not None and current.get("_format") == "oslo" and fields["_format"] == "oslo"
                    and oslo.continues_traceback(fields, current) and self._room(current)):
                self._join(current, fields["message"])
                return
            fields["offset"] = offset
            self._start(fields)
            return
        if current is not None and self._room(current):
            self._join(current, line)
            return
        if not line.strip():
            self.blank += 1
            return
        self._start({"level": "UNKNOWN", "message": line, "offset": offset})

    @staticmethod
    def _room(current: dict) -> bool:
        return current["_lines"] < MAX_JOINED_LINES and len(current["message"]) < MAX_RECORD_CHARS

    @staticmethod
    def _join(current: dict, text: str) -> None:
        current["message"] = f"{current['message']}\n{text}" if current["message"] else text
        current["_lines"] += 1

    def _start(self, fields: dict) -> None:
        fields["_lines"] = 1
        self._records.append(fields)
        self._current = fields

    @property
    def open_record_offset(self) -> int | None:
        """Offset of the record that later lines may still extend (None when there is none)."""
        return self._current["offset"] if self._current is not None else None

    def take(self, final: bool = False) -> tuple[pa.Table, ParseStats, list[str]]:
        """The finished records as an Arrow table, their statistics and the format that read each
        (RAW_FORMAT for none). The record still open is kept back (its continuation may be in the
        next batch) unless `final`."""
        records = self._records
        if final or not records:
            self._records, self._current = [], None if final else self._current
        else:
            self._records, records = [records[-1]], records[:-1]
        stats = ParseStats.of(records, self.blank)
        self.blank = 0
        formats = [r.get("_format", RAW_FORMAT) for r in records]
        return records_to_table(records, self.source, self.received_us), stats, formats


def parse_line(line: str, clock: TimestampReader) -> dict | None:
    """The fields of one line as a fresh SourceParser reads it (its format in `_format`), or None
    when no format reads it."""
    return SourceParser(_NOWHERE, clock, 0)._parse_any(line)


def understood(line: str, clock: TimestampReader) -> bool:
    """Whether a format reads this line (so that it would start a record of its own)."""
    return parse_line(line, clock) is not None


_NOWHERE = SourceInfo(host="", service="", program="", path="")


def records_to_table(records: list[dict], source: SourceInfo, received_us: int) -> pa.Table:
    """Records (dicts of column values) to a table in the store's schema, with the source's
    host/service/program/path where the line gave none and the receive time where it had no time."""
    from_source = {"host": source.host, "service": source.service, "program": source.program,
                   "source": source.path, "ts": received_us, "received": received_us // 1_000_000}
    arrays = {}
    # attrs last: a number too large for its column moves there (see _keep_out_of_range).
    for col in sorted(COLUMNS, key=lambda c: c.name == "attrs"):
        name = col.name
        if name in from_source:
            # An empty value from the line (a syslog line without a host) takes the source's too.
            default = from_source[name]
            values = [r.get(name) or default for r in records]
        else:
            missing = col.missing
            values = [r.get(name, missing) for r in records]
        if col.kind == "time":
            # Straight to timestamps is far slower in pyarrow than int64 and a cast.
            arrays[name] = pa.array(values, type=pa.int64()).cast(col.arrow_type)
            continue
        try:
            arrays[name] = pa.array(values, type=col.arrow_type)
        except UnicodeEncodeError:
            # Text decoded with surrogateescape (a receiver's bytes that were not UTF-8): the bad
            # bytes are kept as \xNN escapes, as import keeps them.
            arrays[name] = pa.array([_escaped(v) for v in values], type=col.arrow_type)
        except (OverflowError, pa.ArrowInvalid):
            if not pa.types.is_integer(col.arrow_type):
                raise
            arrays[name] = pa.array(_keep_out_of_range(records, col), type=col.arrow_type)
    return pa.Table.from_arrays([arrays[c.name] for c in COLUMNS], schema=ARROW_SCHEMA)


def _escaped(value: object) -> object:
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    if isinstance(value, dict):
        return {_escaped(k): _escaped(v) for k, v in value.items()}
    return value


def received_table(records: list[dict], source: str, received_us: int) -> pa.Table:
    """Records that came over the network, not from a file: `source` names the way they came
    (`forward`, `syslog`, ...); host, service and program are whatever the records say."""
    return records_to_table(records, SourceInfo(host="", service="", program="", path=source), received_us)


def _keep_out_of_range(records: list[dict], col: Column) -> list:
    """A number that does not fit its column (a 20-digit pid in a garbled line) is kept as text
    in attrs under the column's name, and the column gets its missing value."""
    bits = col.arrow_type.bit_width
    top = (1 << bits) - 1 if pa.types.is_unsigned_integer(col.arrow_type) else (1 << (bits - 1)) - 1
    bottom = 0 if pa.types.is_unsigned_integer(col.arrow_type) else -(1 << (bits - 1))
    values = []
    for r in records:
        value = r.get(col.name, col.missing)
        if value is not None and not bottom <= value <= top:
            r["attrs"] = {**r.get("attrs", {}), col.name: str(value)}
            value = col.missing
        values.append(value)
    return values


def split_lines(data: bytes, start: int, max_line_bytes: int) -> tuple[list[str], list[int]]:
    """Decode a chunk into lines and the byte offset of each in the file.

    Invalid UTF-8 is kept visibly as \\xNN escapes (nothing is lost); a line longer than
    `max_line_bytes` is cut into pieces, each stored as a line of its own."""
    raw = data.split(b"\n")
    if raw[-1] == b"":
        raw.pop()
    offsets = list(accumulate((len(line) + 1 for line in raw), initial=start))[:-1]
    if max(map(len, raw), default=0) > max_line_bytes:
        raw, offsets = _cut_long_lines(raw, offsets, max_line_bytes)
    return [line.decode("utf-8", "backslashreplace") for line in raw], offsets


def _cut_long_lines(raw: list[bytes], offsets: list[int], size: int) -> tuple[list[bytes], list[int]]:
    lines: list[bytes] = []
    starts: list[int] = []
    for line, offset in zip(raw, offsets):
        for i in range(0, max(len(line), 1), size):
            lines.append(line[i:i + size])
            starts.append(offset + i)
    return lines, starts


def parse_text(text: str, source: SourceInfo, clock: TimestampReader | None = None,
               received_us: int = 0) -> tuple[pa.Table, ParseStats]:
    """Parse a whole text at once (tests, small inputs)."""
    parser = SourceParser(source, clock or TimestampReader(), received_us)
    parser.feed(*split_lines(text.encode("utf-8", "surrogateescape"), 0, MAX_RECORD_CHARS))
    table, stats, _ = parser.take(final=True)
    return table, stats
