"""`venus agent`: follows log files and sends their lines to a Venus server through the import
protocol, exactly once (the server's checkpoints and deduplication tokens, docs/api.md).

Each look, every `scan_interval`:
1. find the files the globs name. A new inode is a new file; a followed file that shrank below
   what was sent, or whose first bytes changed, was truncated or replaced and starts again at 0;
2. send each file's unsent bytes, whole lines, `batch_bytes` at a time (gzip on the wire). The
   server joins multi-line records; the last one of a file is held back until the file has been
   quiet for `multiline_timeout`, since a traceback may still go on;
3. when the server cannot be reached, wait before trying again (0.5 s, doubling up to
   `retry_max_seconds`), and meanwhile copy what the files gain into the spool, so that a file
   rotated away and deleted meanwhile is still sent, even after a restart of the agent;
4. forget a file the globs no longer name once it is sent to its end.

Positions are saved in the state directory after every look; what the agent did not save, the
server's checkpoint tells (a chunk sent twice is skipped, a chunk that overlaps is answered
with the offset to go on from).
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from venus.agent.config import agent_host
from venus.agent.spool import Spool
from venus.agent.state import load_state, save_state
from venus.agent.tailed import FileKey, TailedFile, file_identity, find_files, head_identity
from venus.client import HttpBackend, RemoteError
from venus.config import Settings, split_list
from venus.errors import StoreLocked, StoreUnavailable, VenusError
from venus.ingest.files import MAX_CHUNK_BYTES
from venus.ingest.importer import FINGERPRINT_BYTES
from venus.parse.paths import describe_path
from venus.store.ownership import DataDirLock

log = logging.getLogger("venus.agent")

FIRST_RETRY = 0.5  # seconds
CHUNKS_PER_LOOK = 16  # per file and look: a busy file does not keep the others waiting
SPOOL_PER_LOOK = 64 << 20  # bytes copied into the spool in one look


class Agent:
    def __init__(self, settings: Settings, backend: HttpBackend,
                 clock: Callable[[], float] = time.monotonic) -> None:
        conf = settings.agent
        self.host = agent_host(settings)
        self.patterns = split_list(conf.paths)
        self.exclude = split_list(conf.exclude)
        self.batch_bytes = conf.batch_bytes
        self.multiline_timeout = conf.multiline_timeout
        self.retry_max = conf.retry_max_seconds
        self.state_dir = Path(conf.state_dir).expanduser()
        self.backend = backend
        self.clock = clock
        self.lock = DataDirLock(self.state_dir)
        try:
            self.lock.acquire("venus agent")
        except StoreLocked:
            backend.close()
            raise
        self.spool = Spool(self.state_dir / "spool", conf.max_spool_bytes)
        self.files: dict[str, TailedFile] = {}  # by fingerprint
        self.sent_lines = 0
        self._failures = 0
        self._retry_at = 0.0
        self._saved: list[dict] | None = None
        self._restore()

    # -- the loop ------------------------------------------------------------------------------

    def run(self, stop: threading.Event, scan_interval: float) -> None:
        """Look, send, and wait `scan_interval` until `stop` is set (at once while behind)."""
        logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise
        log.info("following %s as host %s, sending to %s", ", ".join(self.patterns), self.host,
                 self.backend.where)
        while not stop.is_set():
            try:
                behind = self.look()
            except OSError as exc:  # a full disk under the spool or the state: try again later
                log.error("%s; trying again in %.1f s", exc, scan_interval)
                behind = False
            if not behind or self.clock() < self._retry_at:
                stop.wait(scan_interval)

    def look(self) -> bool:
        """One round: find files, send (or spool), forget the finished, save the state. Whether
        more could be sent at once."""
        now = self.clock()
        self._scan(now)
        behind = self._send_all(now) if now >= self._retry_at else False
        if self._retry_at > now:
            self._spool_ahead()
        self._forget(now)
        self._save()
        return behind

    def drain(self, timeout: float) -> bool:
        """Send everything there is now, last records included (`venus agent --once`); whether
        all of it reached the server within `timeout` seconds."""
        self.multiline_timeout = 0
        deadline = time.monotonic() + timeout  # real time, whatever clock the looks use
        while time.monotonic() < deadline:
            self.look()
            if not self.unsent() and not self.spool.files:
                return True
            time.sleep(min(0.2, max(0.0, self._retry_at - self.clock())))
        return False

    def unsent(self) -> int:
        return sum(self._end(f) - f.committed for f in self.files.values() if self._end(f) > f.committed)

    def close(self) -> None:
        """Save the state, close the files and the backend, release the state directory."""
        self._save()
        for f in self.files.values():
            f.close()
        self.backend.close()
        self.lock.release()
        log.info("stopped; %d lines sent", self.sent_lines)

    # -- which files ---------------------------------------------------------------------------

    def _restore(self) -> None:
        for f in load_state(self.state_dir):
            f.present = False
            self.files[f.fp] = f
        for fp, spooled in self.spool.load().items():
            if fp not in self.files:  # the state was lost, the spool was not
                f = TailedFile.from_state(spooled.header)
                f.committed, f.present = spooled.base, False
                self.files[fp] = f
        self._restored = list(self.files.values())
        if self.files:
            log.info("resuming %d files (%d bytes spooled)", len(self.files), self.spool.used)

    def _scan(self, now: float) -> None:
        found = find_files(self.patterns, self.exclude)
        by_key: dict[FileKey, TailedFile] = {}
        for f in self.files.values():
            if f.fh is not None or f.key not in by_key:
                by_key[f.key] = f
        for f in self.files.values():
            f.present = False
        for key, (path, st) in found.items():
            f = by_key.get(key)
            if f is not None and f.fh is None:
                f = self._reopen(f, path)
            if f is not None and self._replaced(f):
                log.warning("%s was truncated or replaced; reading it again from its start", path)
                self._retire(f)
                f = None
            if f is None:
                if st.st_size == 0:
                    continue  # nothing to know it by yet
                f = self._follow(path, key)
                if f is None:
                    continue
            f.present = True
        for f in self._restored:
            if f.fh is None and not self._find_rotated(f) and f.fp not in self.spool.files:
                log.warning("%s, followed before the restart, is gone: lines it gained while the agent was "
                            "stopped were not sent", f.path)
        self._restored = []  # looked for once, at the first look after a restart
        for f in self.files.values():
            if f.fh is not None:
                st = os.fstat(f.fh.fileno())
                if st.st_size > f.size:
                    f.grew_at = now
                f.size, f.mtime = st.st_size, st.st_mtime

    def _reopen(self, f: TailedFile, path: str) -> TailedFile | None:
        """A file of the saved state found again: the same one when its head still matches."""
        fh = self._open(path, f.key)
        if fh is None:
            return None
        if head_identity(fh, f.fp_len, f.dev, f.ino) != f.fp:
            fh.close()
            return None
        f.fh, f.grew_at = fh, self.clock()
        return f

    def _find_rotated(self, f: TailedFile) -> bool:
        """A file of the saved state the globs no longer name: rotation keeps it in its
        directory under another name (nova-api.log.1), where it is read to its end. Whether
        it was found."""
        directory = os.path.dirname(f.path) or "."
        try:
            names = os.listdir(directory)
        except OSError:
            return False
        for name in names:
            path = os.path.join(directory, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            if (st.st_dev, st.st_ino) == f.key:
                if self._reopen(f, path) is None:
                    return False
                log.info("%s is now %s: reading it to its end", f.path, path)
                return True
        return False

    def _follow(self, path: str, key: FileKey) -> TailedFile | None:
        fh = self._open(path, key)
        if fh is None:
            return None
        head = fh.read(FINGERPRINT_BYTES)
        if not head:
            fh.close()
            return None
        f = TailedFile(path, file_identity(head, *key), len(head), *key, fh=fh, grew_at=self.clock())
        f.committed = self._checkpoint(f)
        self.files[f.fp] = f
        log.info("following %s from byte %d", path, f.committed)
        return f

    @staticmethod
    def _open(path: str, key: FileKey) -> BinaryIO | None:
        """The file at `path`, when it is still the inode `key`."""
        try:
            fh = open(path, "rb")  # noqa: SIM115 (kept open while the file is followed)
        except OSError as exc:
            log.warning("cannot read %s: %s", path, exc.strerror or exc)
            return None
        st = os.fstat(fh.fileno())
        if (st.st_dev, st.st_ino) != key:  # replaced between the look and the open
            fh.close()
            return None
        return fh

    def _replaced(self, f: TailedFile) -> bool:
        if f.fh is None:
            return False
        size = os.fstat(f.fh.fileno()).st_size
        return size < max(f.committed, self._spooled_end(f)) or head_identity(f.fh, f.fp_len, f.dev, f.ino) != f.fp

    def _retire(self, f: TailedFile) -> None:
        """Stop reading a file that changed under the agent. The record it held back is gone
        from the file (copytruncate): it goes to the spool, and is sent from there with what
        was spooled already."""
        f.close()
        if f.held and self._spooled_end(f) in (0, f.committed):
            self.spool.append(f.to_state(), f.committed, f.held)
        f.held = b""
        if f.fp in self.spool.files:
            f.present = False
        else:
            del self.files[f.fp]

    def _checkpoint(self, f: TailedFile) -> int:
        """Where the server has the file up to (0 while it cannot be asked: it will say later)."""
        if self.clock() < self._retry_at:
            return 0
        try:
            return self.backend.checkpoint(describe_path(f.path, self.host), f.fp)
        except VenusError as exc:
            self._failed(exc)
            return 0

    def _forget(self, now: float) -> None:
        for f in list(self.files.values()):
            if f.present or self._end(f) > f.committed or now - f.grew_at < self.multiline_timeout:
                continue
            f.close()
            self.spool.remove(f.fp)
            del self.files[f.fp]

    # -- sending -------------------------------------------------------------------------------

    def _send_all(self, now: float) -> bool:
        behind = False
        for f in list(self.files.values()):
            for _ in range(CHUNKS_PER_LOOK):
                if not self._send_one(f, now):
                    break
                if self._retry_at > now:
                    return False
            else:
                behind = True
        return behind

    def _send_one(self, f: TailedFile, now: float) -> bool:
        """Send the next chunk of a file; whether the server took some of it."""
        end = self._end(f)
        if f.committed >= end:
            return False
        want = f.want or self.batch_bytes
        data = self._read(f, f.committed, want)
        if not data:
            log.error("bytes %d to %d of %s are gone (file and spool); they cannot be sent",
                      f.committed, end, f.path)
            f.committed = end
            return False
        at_end = f.committed + len(data) >= end
        final = (at_end and now - f.grew_at >= self.multiline_timeout) or want >= MAX_CHUNK_BYTES
        if not final:
            cut = data.rfind(b"\n") + 1
            if cut:
                data = data[:cut]
            elif at_end:
                return False  # a line still being written
        offset = f.committed
        try:
            result = self.backend.import_chunk(describe_path(f.path, self.host), f.fp, offset, data, final,
                                               f.mtime or None)
        except RemoteError as exc:
            if exc.status == 409 and "expected_offset" in exc.body:
                # Sent before, and the answer was lost (a restart of either side).
                f.committed, f.held = int(exc.body["expected_offset"]), b""
                self._after_commit(f)
                return True
            self._failed(exc)
            return False
        except StoreUnavailable as exc:
            self._failed(exc)
            return False
        if self._failures:
            log.info("the server answers again")
            self._failures = 0
        f.committed = int(result["committed_offset"])
        f.held = data[f.committed - offset:]
        self.sent_lines += int(result.get("lines", 0))
        moved = f.committed > offset
        # One record fills the whole chunk: send more of it next time.
        f.want = 0 if moved or at_end else min(want * 2, MAX_CHUNK_BYTES)
        self._after_commit(f)
        return moved or f.want > 0

    def _failed(self, exc: VenusError) -> None:
        self._failures += 1
        wait = min(self.retry_max, FIRST_RETRY * 2 ** (self._failures - 1)) * random.uniform(0.8, 1.0)
        self._retry_at = self.clock() + wait
        log.warning("%s; trying again in %.1f s", exc.message, wait)

    def _read(self, f: TailedFile, offset: int, size: int) -> bytes:
        """Up to `size` bytes of the file from `offset`: from the spool, then from the file."""
        data = b""
        spooled = self.spool.files.get(f.fp)
        if spooled is not None:
            data = self.spool.read(spooled, offset, size)
        if len(data) < size and f.fh is not None:
            f.fh.seek(offset + len(data))
            data += f.fh.read(size - len(data))
        return data

    def _spooled_end(self, f: TailedFile) -> int:
        spooled = self.spool.files.get(f.fp)
        return spooled.end if spooled is not None else 0

    def _end(self, f: TailedFile) -> int:
        return max(self._spooled_end(f), f.size if f.fh is not None else 0)

    def _after_commit(self, f: TailedFile) -> None:
        spooled = self.spool.files.get(f.fp)
        if spooled is not None and f.committed >= spooled.end:
            self.spool.remove(f.fp)

    def _spool_ahead(self) -> None:
        """While the server is away, copy what the files gained into the spool."""
        budget = min(self.spool.room(), SPOOL_PER_LOOK)
        for f in self.files.values():
            if budget <= 0:
                return
            if f.fh is None:
                continue
            start = max(self._spooled_end(f), f.committed)
            if f.fp in self.spool.files and start != self._spooled_end(f):
                continue  # the server went ahead of the spool: it is dropped once passed
            if f.size <= start:
                continue
            f.fh.seek(start)
            data = f.fh.read(min(budget, f.size - start))
            self.spool.append(f.to_state(), start, data)
            budget -= len(data)

    def _save(self) -> None:
        state = [f.to_state() for f in self.files.values()]
        if state != self._saved:
            save_state(self.state_dir, list(self.files.values()))
            self._saved = state
