"""One chunk of a file → an Arrow table of its finished records, in worker processes.

Parsing is per-line Python and holds the GIL, so a server parsing in its own process uses one
core however many imports arrive. `ChunkParser` sends chunks to a pool of worker processes
instead: the server process is left to receive requests and insert (chdb releases the GIL), and
each core parses. Small chunks are parsed in place, where a round trip to a worker costs more
than it saves. Workers import the parsers only, never the store.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime, timezone

import pyarrow as pa

from venus.errors import StoreUnavailable
from venus.parse.lines import LINE_FORMATS, LineFormat, ParseStats, SourceParser, split_lines
from venus.parse.oslo_batch import parse_oslo_chunk
from venus.parse.paths import SourceInfo
from venus.parse.timestamps import TimestampReader, zone

# Below this a chunk is parsed in the calling thread (tests, `tail`-sized appends).
INLINE_PARSE_BYTES = 256 << 10
MAX_AUTO_PROCESSES = 8


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


def _ignore_interrupts() -> None:
    # Ctrl-C reaches the whole process group; the server decides when its workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def auto_processes() -> int:
    return max(1, min(os.cpu_count() or 1, MAX_AUTO_PROCESSES))


class ChunkParser:
    """Runs `parse_chunk` in a pool of `processes` workers, started on first use."""

    def __init__(self, processes: int = 0) -> None:
        self.processes = processes or auto_processes()
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._closed = False

    @property
    def started(self) -> bool:
        """Whether the worker processes run (they start with the first large chunk)."""
        return self._pool is not None

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._closed:
                raise StoreUnavailable("the importer is shutting down")
            if self._pool is None:
                # spawn, not fork: the parent runs chdb's threads, which a fork would copy mid-flight.
                self._pool = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_ignore_interrupts)
            return self._pool

    def parse(self, source: SourceInfo, data: bytes, offset: int, final: bool, timezone_name: str,
              mtime: float | None, received_us: int, max_line_bytes: int) -> ParsedChunk:
        args = (source, data, offset, final, timezone_name, mtime, received_us, max_line_bytes)
        if len(data) < INLINE_PARSE_BYTES:
            return parse_chunk(*args)
        pool = self._executor()
        try:
            return pool.submit(parse_chunk, *args).result()
        except BrokenProcessPool:
            # A worker died (killed, out of memory): start a new pool for the next chunk and
            # parse this one here, so the request still succeeds.
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False)
            return parse_chunk(*args)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
