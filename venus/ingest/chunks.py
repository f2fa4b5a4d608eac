"""One chunk of a file → an Arrow table of its finished records (the importer runs it in
`venus.ingest.workers`' processes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import pyarrow as pa

from venus.parse.lines import LINE_FORMATS, LineFormat, ParseStats, SourceParser, split_lines
from venus.parse.oslo_batch import parse_oslo_chunk
from venus.parse.paths import SourceInfo
from venus.parse.timestamps import TimestampReader, zone


@dataclass
class ParsedChunk:
    table: pa.Table  # the finished records
    stats: ParseStats
    end: int  # byte offset after the last line the table holds: where the next chunk starts
    formats: list[str]  # the format that read each record (lines.RAW_FORMAT for none)


def source_clock(timezone_name: str, mtime: float | None) -> TimestampReader:
    """How a source's times are read: naive ones in its zone, syslog's yearless ones near `mtime`."""
    reference = datetime.fromtimestamp(mtime, timezone.utc) if mtime else None
    return TimestampReader(zone(timezone_name), reference)


def parse_chunk(source: SourceInfo, data: bytes, offset: int, final: bool, timezone_name: str,
                mtime: float | None, received_us: int, max_line_bytes: int) -> ParsedChunk:
    """Parse the whole lines of `data` (which starts at byte `offset` of the file).

    The record still open at the end (its traceback may go on in the next chunk) is left out
    unless `final` or unless it is the only one, and `end` points at its first byte. Chunks of
    oslo.log take the column-wise path (venus.parse.oslo_batch), the others SourceParser."""
    clock = source_clock(timezone_name, mtime)
    fast = parse_oslo_chunk(data, offset, final, source, clock, received_us, max_line_bytes)
    if fast is not None:
        table, stats, end = fast
        return ParsedChunk(table, stats, end, ["oslo"] * len(table))  # every record has an oslo header
    return parse_chunk_by_line(source, data, offset, final, clock, received_us, max_line_bytes)


def parse_chunk_by_line(source: SourceInfo, data: bytes, offset: int, final: bool, clock: TimestampReader,
                        received_us: int, max_line_bytes: int,
                        formats: tuple[tuple[str, LineFormat], ...] = LINE_FORMATS) -> ParsedChunk:
    """parse_chunk with SourceParser alone: the reference for the column-wise path, and the way
    to read a chunk with some `formats` only."""
    lines, offsets = split_lines(data, offset, max_line_bytes)
    parser = SourceParser(source, clock, received_us, formats)
    parser.feed(lines, offsets)
    held = parser.open_record_offset
    # When the open record fills the whole chunk, nothing is committed and the sender sends more.
    final = final or held is None
    table, stats, read_by = parser.take(final=final)
    return ParsedChunk(table, stats, offset + len(data) if final else held, read_by)
