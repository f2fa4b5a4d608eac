"""Log files on disk: which files a PATH argument names, and their content in chunks of whole lines."""

from __future__ import annotations

import glob
import gzip
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from venus.errors import BadRequest
from venus.ingest.importer import FINGERPRINT_BYTES, fingerprint
from venus.parse.paths import SourceInfo

# Not logs: skip them when walking a directory (they are still read when named one by one).
_SKIP_SUFFIXES = (".pid", ".lock", ".sock", ".swp", ".journal", ".xz", ".bz2", ".zip", ".tar")


@dataclass(frozen=True)
class LogFile:
    path: Path
    size: int  # bytes on disk (compressed size for .gz)
    mtime: float

    @property
    def compressed(self) -> bool:
        return self.path.suffix == ".gz"

    def open(self) -> BinaryIO:
        return gzip.open(self.path, "rb") if self.compressed else open(self.path, "rb")  # noqa: SIM115

    def fingerprint(self) -> str:
        with self.open() as fh:
            return fingerprint(fh.read(FINGERPRINT_BYTES))


def expand_paths(args: list[str]) -> tuple[list[LogFile], list[str]]:
    """Files named by files, directories (walked) and globs; and the problems with the others."""
    files: dict[Path, LogFile] = {}
    problems: list[str] = []
    for arg in args:
        matches = sorted(glob.glob(arg, recursive=True)) if glob.has_magic(arg) else [arg]
        if not matches:
            problems.append(f"{arg}: no file matches")
        for match in matches:
            p = Path(match)
            if p.is_dir():
                for root, _dirs, names in os.walk(p):
                    for name in sorted(names):
                        if not name.endswith(_SKIP_SUFFIXES):
                            _add(Path(root) / name, files, problems)
            elif p.exists():
                _add(p, files, problems)
            else:
                problems.append(f"{arg}: no such file or directory")
    return sorted(files.values(), key=lambda f: str(f.path)), problems


def _add(path: Path, files: dict[Path, LogFile], problems: list[str]) -> None:
    try:
        st = path.stat()
        if not path.is_file():
            return
        with open(path, "rb"):
            pass
    except OSError as exc:
        problems.append(f"{path}: {exc.strerror or exc}")
        return
    files[path] = LogFile(path, st.st_size, st.st_mtime)


# A record that grows past this (a runaway multi-line join, a giant line) is committed as it is.
MAX_CHUNK_BYTES = 32 << 20


def send_file(fh: BinaryIO, start: int, chunk_bytes: int,
              send: Callable[[int, bytes, bool], int]) -> int:
    """Feed a file from byte `start` to `send(offset, data, final) -> committed_offset` in chunks of
    whole lines, and return the end offset.

    The importer may commit less than it was sent: the record still open at the end of a chunk
    (a traceback that may go on). The rest stays in the buffer and goes out again at the head of
    the next chunk, so the file is read once and never seeked back (gzip files cannot be, cheaply).
    When one record fills a whole chunk, the chunk is doubled until the record fits, and past
    MAX_CHUNK_BYTES it is sent as final, which commits it as it is."""
    if start:
        _skip(fh, start)
    offset, buffer, eof, want = start, b"", False, chunk_bytes
    while True:
        while not eof and len(buffer) < want:
            block = fh.read(chunk_bytes)
            eof = not block
            buffer += block
        if eof:
            chunk = buffer
        else:
            cut = buffer.rfind(b"\n", 0, want) + 1
            chunk = buffer[:cut] if cut else buffer[:want]
        force = eof or want >= MAX_CHUNK_BYTES
        committed = send(offset, chunk, force)
        if committed == offset and chunk and not force:
            want *= 2
            continue
        buffer = buffer[committed - offset:]
        offset, want = committed, chunk_bytes
        if eof and not buffer:
            return offset


def _skip(fh: BinaryIO, start: int) -> None:
    if fh.seekable():
        fh.seek(start)
        return
    remaining = start
    while remaining:
        skipped = fh.read(min(remaining, 1 << 20))
        if not skipped:
            raise BadRequest(f"the file is shorter than its checkpoint ({start} bytes)", field="path")
        remaining -= len(skipped)


class ChunkTarget(Protocol):
    """Where chunks go: a server over HTTP or the store directly (venus.client's backends)."""

    def checkpoint(self, source: SourceInfo, fp: str) -> int: ...
    def import_chunk(self, source: SourceInfo, fp: str, offset: int, data: bytes, final: bool,
                     mtime: float | None) -> dict: ...


def import_file(f: LogFile, source: SourceInfo, chunk_bytes: int, target: ChunkTarget,
                on_chunk: Callable[[int, dict], None] | None = None) -> tuple[int, int]:
    """Import one file from its checkpoint on; `on_chunk(offset, result)` follows the progress.
    Returns the (start, end) byte offsets: equal when the file was imported before."""
    fp = f.fingerprint()
    start = target.checkpoint(source, fp)

    def send(offset: int, data: bytes, final: bool) -> int:
        result = target.import_chunk(source, fp, offset, data, final, f.mtime)
        if on_chunk is not None:
            on_chunk(offset, result)
        return result["committed_offset"]

    with f.open() as fh:
        return start, send_file(fh, start, chunk_bytes, send)
