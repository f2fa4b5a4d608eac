"""File import: byte chunks of a source file → parsed records → the store, exactly once.

A file is imported as a sequence of chunks of whole lines. For each chunk the importer parses
the lines, commits every finished record, and records a checkpoint: the byte offset up to which
the file is in the store. The record still open at the end of a chunk (its traceback may go on
in the next chunk) is not committed; its first byte is the checkpoint, and the next chunk starts
there. Nothing of a file's parse is kept between chunks (the sender re-sends the open record), and:

* a chunk that does not start at the checkpoint is refused (`OffsetMismatch` tells where to go on);
* each chunk is inserted with a deduplication token, so a retried chunk is not stored twice;
* importing a file again finds its checkpoint at the end and stores nothing;
* before inserting, the importer records the end of what it is committing; a server killed
  during the insert finds that intent, and commits the same bytes under the same token whatever
  chunk comes next (stored at most once, and at least once).

A file is known by host, path and a fingerprint of its first bytes (a rotated-and-recreated
file with the same name starts again at zero). Checkpoints are read from the store once and then
kept in memory: the importer's process owns the store, and every checkpoint goes through it.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

from venus.errors import VenusError
from venus.ingest.chunks import parse_chunk
from venus.ingest.templating import Templater
from venus.ingest.workers import ParsePool
from venus.parse.lines import ParseStats
from venus.parse.paths import SourceInfo
from venus.parse.timestamps import now_us, zone
from venus.store.clickhouse import ClickHouseStore

FINGERPRINT_BYTES = 1024
MAX_CACHED_CHECKPOINTS = 100_000


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

    def __init__(self, store: ClickHouseStore, pool: ParsePool, timezone: str = "UTC",
                 max_line_bytes: int = 4 << 20, templater: Templater | None = None) -> None:
        zone(timezone)  # an unknown zone fails here, not in the first chunk
        self.store = store
        self.templater = templater
        self.timezone = timezone
        self.max_line_bytes = max_line_bytes
        self.pool = pool
        self._checkpoints: dict[tuple[str, str, str], int] = {}
        self._checkpoints_lock = threading.Lock()

    def checkpoint(self, host: str, path: str, fp: str) -> int:
        """How many bytes of this file are in the store already."""
        return self._checkpoint(host, path, fp)[0]

    def _checkpoint(self, host: str, path: str, fp: str) -> tuple[int, int]:
        """The checkpoint and the end of the chunk being committed from it when the last
        writer stopped (0: none)."""
        key = (host, path, fp)
        with self._checkpoints_lock:
            known = self._checkpoints.get(key)
        if known is None:
            known = self.store.checkpoint(host, path, fp)
            with self._checkpoints_lock:
                known = self._checkpoints.setdefault(key, known)
        return known

    def _save_checkpoint(self, host: str, path: str, fp: str, offset: int, committing: int = 0) -> None:
        self.store.save_checkpoint(host, path, fp, offset, committing)
        with self._checkpoints_lock:
            if len(self._checkpoints) >= MAX_CACHED_CHECKPOINTS:
                self._checkpoints.clear()  # years of rotated files: read again from the store on demand
            key = (host, path, fp)
            if offset >= self._checkpoints.get(key, (0, 0))[0]:
                self._checkpoints[key] = (offset, committing)

    def import_chunk(self, source: SourceInfo, fp: str, offset: int, data: bytes, final: bool,
                     mtime: float | None = None) -> ChunkResult:
        """Commit the records of one chunk that starts at byte `offset` of the file.

        `final` commits the last record too (the file's last chunk, or a record too big to wait
        for); `mtime` dates syslog lines, which carry no year."""
        expected, committing = self._checkpoint(source.host, source.path, fp)
        end = offset + len(data)
        if offset != expected:
            if end <= expected:
                return ChunkResult(expected, ParseStats(), skipped=True)
            raise OffsetMismatch(expected, offset)
        if committing > offset and (end >= committing or not final):
            # The last writer stopped while inserting the records up to `committing`: maybe
            # stored, maybe not. The same bytes are committed again under the same token (the
            # store keeps them once), and the rest of the chunk after them.
            if end < committing:
                return ChunkResult(offset, ParseStats())  # the sender sends more
            result = self._commit(source, fp, offset, data[:committing - offset], True, mtime)
            if end > committing:
                rest = self.import_chunk(source, fp, committing, data[committing - offset:], final, mtime)
                result.stats.add(rest.stats)
                result.committed_offset = rest.committed_offset
            return result
        return self._commit(source, fp, offset, data, final, mtime)

    def _commit(self, source: SourceInfo, fp: str, offset: int, data: bytes, final: bool,
                mtime: float | None) -> ChunkResult:
        parsed = self.pool.run(len(data), parse_chunk, source, data, offset, final, self.timezone, mtime,
                               now_us(), self.max_line_bytes)
        if parsed.end == offset:
            return ChunkResult(offset, parsed.stats)
        key = f"{source.host}\0{source.path}\0{fp}\0{offset}\0{parsed.end}"
        token = hashlib.sha1(key.encode()).hexdigest()
        # Saying first what is being committed lets a restarted server commit the same bytes
        # under the same token, whatever chunk the sender sends next.
        self._save_checkpoint(source.host, source.path, fp, offset, committing=parsed.end)
        table = self.templater.label(parsed.table) if self.templater else parsed.table
        self.store.insert(table, dedup_token=token)
        self._save_checkpoint(source.host, source.path, fp, parsed.end)
        return ChunkResult(parsed.end, parsed.stats)
