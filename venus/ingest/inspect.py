"""The parse inspector: how import reads some lines, as records, storing nothing.

`venus parse` and `POST /api/v1/parse` show an operator, before anything is imported, which
parser reads each line, how lines join into records and which fields they get. Both run import's
own chunk parsing (`parse_chunk`: the oslo.log column-wise path, else SourceParser) and its
chunking (`send_file`), so what they show is what import stores. Each record comes with the
schema's columns, `format` (the parser that read it, `raw` for none) and `raw` (its original
text, cut from the input at its byte offsets).

Derived columns (`http_route`) are computed by the store when a line is inserted and are not
shown here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from venus.errors import BadRequest
from venus.ingest.chunks import ParsedChunk, parse_chunk, parse_chunk_by_line, source_clock
from venus.ingest.files import send_file
from venus.parse.lines import FORMAT_NAMES, LINE_FORMATS, ParseStats
from venus.parse.paths import SourceInfo
from venus.parse.timestamps import now_us, zone


@dataclass(frozen=True)
class Inspection:
    """How to read one input: what import would know about it."""

    source: SourceInfo
    timezone: str = "UTC"  # zone of timestamps that carry none ([import] timezone)
    mtime: float | None = None  # dates syslog lines, which carry no year
    max_line_bytes: int = 4 << 20  # [import] max_line_bytes
    line_format: str | None = None  # read every line with this parser only; None: choose per line as import

    def __post_init__(self) -> None:
        zone(self.timezone)
        if self.line_format is not None and self.line_format not in FORMAT_NAMES:
            raise BadRequest(f"unknown format {self.line_format!r}; the formats are {', '.join(FORMAT_NAMES)}",
                             field="format")

    def parse(self, data: bytes, offset: int, final: bool) -> ParsedChunk:
        if self.line_format is None:
            return parse_chunk(self.source, data, offset, final, self.timezone, self.mtime, now_us(),
                               self.max_line_bytes)
        only = tuple(f for f in LINE_FORMATS if f[0] == self.line_format)
        return parse_chunk_by_line(self.source, data, offset, final, source_clock(self.timezone, self.mtime),
                                   now_us(), self.max_line_bytes, only)


def unnamed_source(host: str) -> SourceInfo:
    """An input without a path (standard input, a request body): its lines name their program."""
    return SourceInfo(host=host, service="", program="", path="-")


def inspect_bytes(data: bytes, how: Inspection) -> tuple[list[dict], ParseStats]:
    """The records of a whole input held in memory (the API's body)."""
    parsed = how.parse(data, 0, final=True)
    return records_of(parsed, data, 0), parsed.stats


def inspect_stream(fh: BinaryIO, how: Inspection, chunk_bytes: int,
                   emit: Callable[[list[dict]], None]) -> ParseStats:
    """Read `fh` to its end in import's chunks and pass each chunk's records to `emit`."""
    total = ParseStats()

    def send(offset: int, data: bytes, final: bool) -> int:
        parsed = how.parse(data, offset, final)
        total.add(parsed.stats)
        emit(records_of(parsed, data, offset))
        return parsed.end

    send_file(fh, 0, chunk_bytes, send)
    return total


def records_of(parsed: ParsedChunk, data: bytes, offset: int) -> list[dict]:
    """The parsed table as JSON-ready records, each with its format and original text. A record's
    text runs from its offset to the next record's (the lines joined into it included)."""
    rows = parsed.table.to_pylist()
    starts = [row["offset"] - offset for row in rows] + [parsed.end - offset]
    records = []
    for row, line_format, start, end in zip(rows, parsed.formats, starts, starts[1:]):
        raw = data[start:end]
        raw = raw[:-1] if raw.endswith(b"\n") else raw
        raw = raw[:-1] if raw.endswith(b"\r") else raw
        row["ts"] = iso_us(row["ts"])
        row["received"] = iso_us(row["received"])
        row["attrs"] = dict(row["attrs"])
        row["format"] = line_format
        row["raw"] = raw.decode("utf-8", "backslashreplace")
        records.append(row)
    return records


def iso_us(t: datetime) -> str:
    """2017-05-16T00:00:00.008000Z: always with microseconds, so that a reader compares like with like."""
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
