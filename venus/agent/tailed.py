"""The files the agent follows: which ones the globs name, and what it knows of each.

A followed file is known by its inode and a fingerprint of its first bytes (so an inode reused
by a new file is a new file), and keeps the name it had when first seen: a rotated
`nova-api.log` renamed to `nova-api.log.1` is read to its end under its first name.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import stat
from dataclasses import dataclass, field
from typing import BinaryIO

from venus.ingest.importer import FINGERPRINT_BYTES, fingerprint

FileKey = tuple[int, int]  # (device, inode)


@dataclass
class TailedFile:
    path: str  # the name the file had when first seen: its lines' path in Venus
    fp: str  # its identity at the server (with the host and the path)
    fp_len: int  # bytes of the head the fingerprint was taken from (fewer than 1 KiB in a young file)
    dev: int
    ino: int
    committed: int = 0  # bytes of the file the server has committed
    # What the last look found; not saved.
    fh: BinaryIO | None = field(default=None, repr=False)
    size: int = 0  # bytes in the file
    mtime: float = 0.0
    present: bool = True  # the globs still name it
    grew_at: float = 0.0  # when the agent last saw it grow (monotonic)
    want: int = 0  # bytes to send next: doubled while one record fills a whole batch
    held: bytes = field(default=b"", repr=False)  # sent from `committed` on, not committed: the open record

    @property
    def key(self) -> FileKey:
        return (self.dev, self.ino)

    def to_state(self) -> dict:
        return {"path": self.path, "fp": self.fp, "fp_len": self.fp_len, "dev": self.dev, "ino": self.ino,
                "committed": self.committed}

    @classmethod
    def from_state(cls, state: dict) -> TailedFile:
        return cls(str(state["path"]), str(state["fp"]), int(state["fp_len"]), int(state["dev"]),
                   int(state["ino"]), int(state.get("committed", 0)))

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None


def file_identity(head: bytes, dev: int, ino: int) -> str:
    """Fingerprint of a file's first bytes (at most 1 KiB) and its inode."""
    return f"{fingerprint(head[:FINGERPRINT_BYTES])}-{dev:x}.{ino:x}"


def head_identity(fh: BinaryIO, fp_len: int, dev: int, ino: int) -> str | None:
    """The identity of an open file from its first `fp_len` bytes; None when it has fewer now."""
    fh.seek(0)
    head = fh.read(fp_len)
    return file_identity(head, dev, ino) if len(head) == fp_len else None


def find_files(patterns: list[str], exclude: list[str]) -> dict[FileKey, tuple[str, os.stat_result]]:
    """Regular files the globs name, minus the excluded ones, by inode (the first name of a
    file reachable by several)."""
    found: dict[FileKey, tuple[str, os.stat_result]] = {}
    for pattern in patterns:
        for path in sorted(glob.glob(pattern, recursive=True)):
            if is_excluded(path, exclude):
                continue
            try:
                st = os.stat(path)
            except OSError:
                continue  # gone between the listing and the look
            if not stat.S_ISREG(st.st_mode):
                continue
            found.setdefault((st.st_dev, st.st_ino), (path, st))
    return found


def is_excluded(path: str, exclude: list[str]) -> bool:
    name = os.path.basename(path)
    return any(fnmatch.fnmatch(name, pat) or fnmatch.fnmatch(path, pat) for pat in exclude)
