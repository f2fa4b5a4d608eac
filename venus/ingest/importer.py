"""File import: byte chunks of a source file → parsed records → the store, exactly once.

A file is imported as a sequence of chunks of whole lines. For each chunk the importer parses
the lines, commits every finished record, and records a checkpoint: the byte offset up to which
the file is in the store. The record still open at the end of a chunk (its traceback may go on
in the next chunk) is not committed; its first byte is the checkpoint, and the next chunk starts
there. The server keeps no state between chunks, and:

* a chunk that does not start at the checkpoint is refused (`OffsetMismatch` tells where to go on);
* each chunk is inserted with a deduplication token, so a retried chunk is not stored twice;
* importing a file again finds its checkpoint at the end and stores nothing.

A file is known by host, path and a fingerprint of its first bytes (a rotated-and-recreated
file with the same name starts again at zero).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

from venus.errors import VenusError
from venus.parse.lines import ParseStats, SourceParser, split_lines
from venus.parse.paths import SourceInfo
from venus.parse.timestamps import TimestampReader, now_us, zone
from venus.store.clickhouse import ClickHouseStore

FINGERPRINT_BYTES = 1024


class OffsetMismatch(VenusError):
    status = 409

    def __init__(self, expected: int, got: int) -> None:
        super().__init__(f"this file is imported up to byte {expected}; the chunk starts at {got}",
                         field="offset")
        self.expected = expected


def fingerprint(head: bytes) -> str:
    """Identity of a file's content: a hash of its first bytes."""
    return hashlib.sha1(head[:FINGERPRINT_BYTES]).hexdigest()[:16]


@dataclass
class ChunkResult:
    committed_offset: int  # where the next chunk must start
    stats: ParseStats
    skipped: bool = False  # the chunk was already in the store

    def as_dict(self) -> dict:
        return {"committed_offset": self.committed_offset, "skipped": self.skipped, **self.stats.as_dict()}


class Importer:
    """Imports chunks into a store; used by the server's import endpoint and by direct imports."""

    def __init__(self, store: ClickHouseStore, timezone: str = "UTC", max_line_bytes: int = 4 << 20) -> None:
        self.store = store
        self.tz = zone(timezone)
        self.max_line_bytes = max_line_bytes

    def import_chunk(self, source: SourceInfo, fp: str, offset: int, data: bytes, final: bool,
                     mtime: float | None = None) -> ChunkResult:
        """Commit the records of one chunk that starts at byte `offset` of the file.

        `final` commits the last record too (the file's last chunk, or a record too big to wait
        for); `mtime` dates syslog lines, which carry no year."""
        expected = self.store.checkpoint(source.host, source.path, fp)
        end = offset + len(data)
        if offset != expected:
            if end <= expected:
                return ChunkResult(expected, ParseStats(), skipped=True)
            raise OffsetMismatch(expected, offset)
        lines, offsets = split_lines(data, offset, self.max_line_bytes)
        reference = datetime.fromtimestamp(mtime, timezone.utc) if mtime else None
        parser = SourceParser(source, TimestampReader(self.tz, reference), now_us())
        parser.feed(lines, offsets)
        held = parser.open_record_offset
        # The open record's continuation may be in the next chunk: it is committed with that one.
        # (When it fills this whole chunk, nothing is committed and the sender sends more.)
        final = final or held is None
        table, stats = parser.take(final=final)
        committed = end if final else held
        token = hashlib.sha1(f"{source.host}\0{source.path}\0{fp}\0{offset}\0{committed}".encode()).hexdigest()
        self.store.insert(table, dedup_token=token)
        if committed != offset:
            self.store.save_checkpoint(source.host, source.path, fp, committed)
        return ChunkResult(committed, stats)
