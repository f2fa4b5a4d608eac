"""The agent's spool: bytes of a file read while the server could not be reached, kept on disk so
that a file rotated away or deleted meanwhile is still sent, even after the agent restarts.

One spool file per followed file: a JSON header line (which file, from which offset), then the
file's bytes as they were read. Bytes are only ever appended, so whatever a killed agent left is
a prefix of the file's content from that offset, and the spool's end is its size.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("venus.agent")

SUFFIX = ".spool"


@dataclass
class SpoolFile:
    path: Path
    header: dict  # the followed file's state when spooling began (TailedFile.to_state)
    base: int  # the followed file's offset of the first spooled byte
    data_start: int  # where the bytes begin in the spool file (after the header line)
    size: int  # bytes spooled

    @property
    def end(self) -> int:
        return self.base + self.size


class Spool:
    def __init__(self, directory: Path, max_bytes: int) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.files: dict[str, SpoolFile] = {}  # by the followed file's fingerprint
        directory.mkdir(parents=True, exist_ok=True)

    def load(self) -> dict[str, SpoolFile]:
        """The spool files a previous run left, by fingerprint; unreadable ones are set aside."""
        for path in sorted(self.directory.glob(f"*{SUFFIX}")):
            try:
                with open(path, "rb") as fh:
                    line = fh.readline()
                header = json.loads(line)
                spooled = SpoolFile(path, header, int(header["base"]), len(line),
                                    path.stat().st_size - len(line))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.error("spool file %s cannot be read (%s); set aside as %s.bad", path, exc, path.name)
                path.rename(path.with_suffix(".bad"))
                continue
            self.files[header["fp"]] = spooled
        return self.files

    @property
    def used(self) -> int:
        return sum(f.size for f in self.files.values())

    def room(self) -> int:
        return max(0, self.max_bytes - self.used)

    def append(self, header: dict, base: int, data: bytes) -> SpoolFile:
        """Add bytes read from the file `header` names; the first call for a file starts its
        spool at offset `base`, later ones must follow on."""
        fp = header["fp"]
        spooled = self.files.get(fp)
        if spooled is None:
            path = self.directory / f"{fp}{SUFFIX}"
            line = json.dumps({**header, "base": base}).encode() + b"\n"
            with open(path, "wb") as fh:
                fh.write(line)
            spooled = self.files[fp] = SpoolFile(path, header, base, len(line), 0)
        elif base != spooled.end:
            raise ValueError(f"spool of {header['path']} ends at {spooled.end}, not {base}")
        with open(spooled.path, "ab") as fh:
            fh.write(data)
        spooled.size += len(data)
        return spooled

    def read(self, spooled: SpoolFile, offset: int, size: int) -> bytes:
        """Up to `size` spooled bytes from the followed file's `offset` on."""
        if not spooled.base <= offset < spooled.end:
            return b""
        with open(spooled.path, "rb") as fh:
            fh.seek(spooled.data_start + offset - spooled.base)
            return fh.read(min(size, spooled.end - offset))

    def remove(self, fp: str) -> None:
        spooled = self.files.pop(fp, None)
        if spooled is not None:
            try:
                os.unlink(spooled.path)
            except FileNotFoundError:
                pass
